package io.zynco.it.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The fare service's container image, built locally with no registry pull: {@code FROM
 * scratch} holding a Java runtime made with {@code jlink} from the JDK running the tests, the
 * shared libraries that runtime needs (found with {@code ldd}), {@code iptables} with its
 * extensions (for the packet-loss and partition tests, used with the container's
 * {@code NET_ADMIN} capability), an empty {@code /tmp}, and the sample app's runnable jar.
 * About 120 MB; the image is built once per test JVM.
 */
final class FareServiceImage {

	static final String NAME = "zynco-fare-service-it";

	/** The modules Spring Boot, Tomcat, Netty and the fare service need (checked by starting it). */
	private static final String MODULES = "java.base,java.logging,java.management,java.naming,java.desktop,java.sql,"
			+ "java.xml,java.instrument,java.net.http,java.security.jgss,java.compiler,jdk.unsupported,jdk.crypto.ec,"
			+ "jdk.management,jdk.net";

	/** Native libraries of the runtime that a headless server never loads (AWT, fonts, sound, imaging). */
	private static final Pattern UNUSED_NATIVE = Pattern.compile("awt|font|jawt|lcms|jpeg|mlib|splash|jsound");

	private static final Pattern LDD_PATH = Pattern.compile("(/[^\\s]+)\\s+\\(0x");

	private static ImageFromDockerfile image;

	private FareServiceImage() {
	}

	/** The image (built on first use). */
	static synchronized ImageFromDockerfile get() {
		if (image == null) {
			Path context = buildContext();
			image = new ImageFromDockerfile(NAME, false).withFileFromPath(".", context);
		}
		return image;
	}

	private static Path buildContext() {
		Path jar = Path.of(System.getProperty("zynco.sample.jar", "../sample-app/target/sample-app-exec.jar"));
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException("the fare service jar " + jar.toAbsolutePath()
					+ " is missing: build it first (./mvnw -pl sample-app -am package -DskipTests), or run ./test");
		}
		Path work = Path.of(System.getProperty("zynco.image.work", "target/image"));
		Path rootfs = work.resolve("rootfs");
		try {
			deleteRecursively(work);
			Files.createDirectories(rootfs.resolve("opt"));
			Files.createDirectories(rootfs.resolve("app"));
			Files.createDirectories(rootfs.resolve("tmp"));
			jlink(rootfs.resolve("opt/java"));
			Set<String> libraries = new TreeSet<>();
			List<Path> binaries = new ArrayList<>();
			binaries.add(rootfs.resolve("opt/java/bin/java"));
			try (Stream<Path> files = Files.walk(rootfs.resolve("opt/java"))) {
				files.filter((file) -> file.toString().endsWith(".so"))
					.filter((file) -> !UNUSED_NATIVE.matcher(file.getFileName().toString()).find())
					.forEach(binaries::add);
			}
			Path iptables = Path.of("/usr/sbin/iptables").toRealPath();
			Path xtables = Path.of("/usr/lib/x86_64-linux-gnu/xtables");
			binaries.add(iptables);
			try (Stream<Path> files = Files.list(xtables)) {
				files.filter((file) -> file.toString().endsWith(".so")).forEach(binaries::add);
			}
			for (Path binary : binaries) {
				libraries.addAll(ldd(binary));
			}
			for (String library : libraries) {
				copy(Path.of(library), rootfs.resolve(library.substring(1)));
			}
			// a copy named iptables, not a symbolic link (the build context drops links): the multi-call binary
			// (xtables-nft-multi or xtables-legacy-multi) acts by the name it is called with
			copy(iptables, rootfs.resolve("usr/sbin/iptables"));
			try (Stream<Path> files = Files.list(xtables)) {
				for (Path file : files.toList()) {
					copy(file, rootfs.resolve(xtables.toString().substring(1)).resolve(file.getFileName()));
				}
			}
			Files.copy(jar, rootfs.resolve("app/fare-service.jar"));
			Files.writeString(work.resolve("Dockerfile"), """
					FROM scratch
					COPY rootfs/ /
					ENV PATH=/opt/java/bin:/usr/sbin
					ENTRYPOINT ["/opt/java/bin/java", "-jar", "/app/fare-service.jar"]
					""", StandardCharsets.UTF_8);
			return work;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not build the image context in " + work, ex);
		}
	}

	private static void jlink(Path output) {
		ToolProvider jlink = ToolProvider.findFirst("jlink")
			.orElseThrow(() -> new IllegalStateException("jlink is not available: run the tests on a JDK"));
		int exit = jlink.run(System.out, System.err, "--add-modules", MODULES, "--strip-debug", "--no-header-files",
				"--no-man-pages", "--output", output.toString());
		if (exit != 0) {
			throw new IllegalStateException("jlink failed with exit code " + exit);
		}
	}

	/** The shared libraries a binary loads, as absolute paths on this host. */
	private static List<String> ldd(Path binary) throws IOException {
		Process process = new ProcessBuilder("ldd", binary.toString()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		try {
			process.waitFor();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("interrupted", ex);
		}
		List<String> libraries = new ArrayList<>();
		Matcher matcher = LDD_PATH.matcher(output);
		while (matcher.find()) {
			String library = matcher.group(1);
			if (!library.contains("/opt/java/")) { // the runtime's own libraries are already in the image
				libraries.add(library);
			}
		}
		return libraries;
	}

	private static void copy(Path source, Path target) throws IOException {
		Files.createDirectories(target.getParent());
		if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
			Files.copy(source.toRealPath(), target, StandardCopyOption.COPY_ATTRIBUTES);
		}
	}

	private static void deleteRecursively(Path path) throws IOException {
		if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
			return;
		}
		try (Stream<Path> files = Files.walk(path)) {
			for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
				Files.delete(file);
			}
		}
	}

}
