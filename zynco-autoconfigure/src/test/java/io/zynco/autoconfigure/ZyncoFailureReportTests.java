package io.zynco.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** What a person sees when a Spring Boot application starts with invalid Zynco configuration. */
@ExtendWith(OutputCaptureExtension.class)
class ZyncoFailureReportTests {

	@Test
	void aNonLoopbackBindWithoutASecretIsReportedWithTheFix(CapturedOutput output) {
		assertThatException().isThrownBy(() -> new SpringApplicationBuilder(Application.class)
			.web(WebApplicationType.NONE)
			.properties("zynco.transfer.mode=unicast", "zynco.control.bind-address=10.20.30.40")
			.run());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid Zynco configuration property 'zynco.security.secret'")
			.contains("zynco.control.bind-address is '10.20.30.40'")
			.contains("Set zynco.security.secret to a secret of at least 16 bytes");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
