package io.zynco.it.containers;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * One fare service in a container on the test's network: host name and network alias
 * {@code name}, Zynco control port 7600, multicast on {@code eth0} with TTL 1 (the test's
 * own bridge network; nothing is routed beyond it), HTTP 8080 published on a random port of
 * the host's loopback. It may run {@code iptables} inside its own network namespace
 * ({@code NET_ADMIN}). Killing, restarting and pausing go straight to Docker, and the HTTP
 * address is read again after a restart (Docker may publish another port).
 */
final class FareNode {

	static final String SECRET = "containers-test-secret-0123456789";

	private static final int HTTP = 8080;

	final String name;

	private final GenericContainer<?> container;

	FareNode(String name, Network network, List<String> seeds, Map<String, String> extra) {
		this.name = name;
		List<String> args = new ArrayList<>(List.of("--server.address=0.0.0.0", "--server.port=" + HTTP,
				"--zynco.node-name=" + name, "--zynco.cluster-name=containers-it",
				"--zynco.security.secret=" + SECRET, "--zynco.control.bind-address=" + name,
				"--zynco.control.port=7600", "--zynco.membership.seeds=" + String.join(",", seeds),
				"--zynco.multicast.network-interface=eth0", "--zynco.multicast.ttl=1",
				"--zynco.transfer.mode=multicast", "--sample.load-on-start=false",
				"--sample.admin.user=" + io.zynco.it.FareClient.USER,
				"--sample.admin.password=" + io.zynco.it.FareClient.PASSWORD));
		extra.forEach((key, value) -> args.add("--" + key + "=" + value));
		this.container = new GenericContainer<>(FareServiceImage.get()).withNetwork(network)
			.withNetworkAliases(name)
			.withCreateContainerCmdModifier((cmd) -> {
				cmd.withHostName(name).withName("zynco-it-" + name + "-" + ProcessHandle.current().pid());
				cmd.getHostConfig().withCapAdd(Capability.NET_ADMIN);
			})
			// four JVMs share two cores with the test: a small heap, the serial collector and C1 only start fastest
			.withEnv("JAVA_TOOL_OPTIONS", "-Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k")
			.withExposedPorts(HTTP)
			.withCommand(args.toArray(String[]::new))
			.waitingFor(Wait.forHttp("/api/status").forPort(HTTP).forStatusCode(200)
				.withStartupTimeout(Duration.ofMinutes(4)));
	}

	GenericContainer<?> container() {
		return this.container;
	}

	/** The node's HTTP address as the host reaches it now. */
	URI uri() {
		InspectContainerResponse inspect = docker().inspectContainerCmd(this.container.getContainerId()).exec();
		Ports.Binding[] bindings = inspect.getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(HTTP));
		if (bindings == null || bindings.length == 0) {
			return URI.create("http://127.0.0.1:1"); // not running: every request fails
		}
		return URI.create("http://localhost:" + bindings[0].getHostPortSpec());
	}

	/** SIGKILL: the process dies at once, as on a crash. */
	void kill() {
		docker().killContainerCmd(this.container.getContainerId()).exec();
	}

	/** Starts the killed container again (same name, address and configuration). */
	void restart() {
		docker().startContainerCmd(this.container.getContainerId()).exec();
	}

	void pause() {
		docker().pauseContainerCmd(this.container.getContainerId()).exec();
	}

	void unpause() {
		docker().unpauseContainerCmd(this.container.getContainerId()).exec();
	}

	/** Runs iptables in the node's network namespace; fails the test if it fails. */
	void iptables(String... args) throws Exception {
		String[] command = new String[args.length + 1];
		command[0] = "/usr/sbin/iptables";
		System.arraycopy(args, 0, command, 1, args.length);
		ExecResult result = this.container.execInContainer(command);
		if (result.getExitCode() != 0) {
			throw new IllegalStateException("iptables " + String.join(" ", args) + " failed on " + this.name
					+ " with exit code " + result.getExitCode() + ": " + result.getStderr() + result.getStdout()
					+ " (capabilities added: " + docker().inspectContainerCmd(this.container.getContainerId())
						.exec()
						.getHostConfig()
						.getCapAdd()
					+ ")");
		}
	}

	/** Runs iptables in the node's network namespace and returns what it printed. */
	String iptablesOutput(String... args) throws Exception {
		String[] command = new String[args.length + 1];
		command[0] = "/usr/sbin/iptables";
		System.arraycopy(args, 0, command, 1, args.length);
		ExecResult result = this.container.execInContainer(command);
		return result.getStdout() + result.getStderr();
	}

	String logs() {
		return this.container.getLogs();
	}

	void stop() {
		this.container.stop();
	}

	private static DockerClient docker() {
		return DockerClientFactory.instance().client();
	}

}
