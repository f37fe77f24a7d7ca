package io.zynco.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class ArchitectureTests {

	private static final JavaClasses CORE = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.zynco");

	@Test
	void coreDoesNotDependOnSpring() {
		noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..").check(CORE);
	}

	@Test
	void onlyTheJsonCodecUsesJackson() {
		noClasses().that()
			.doNotHaveSimpleName("JsonCodec")
			.and()
			.doNotHaveSimpleName("DefaultMapper")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("tools.jackson..")
			.check(CORE);
	}

}
