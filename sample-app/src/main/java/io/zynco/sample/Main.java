package io.zynco.sample;

import java.util.Arrays;

import io.zynco.sample.demo.DemoCluster;

/**
 * The runnable jar's entry point: {@code java -jar sample-app-exec.jar} runs the fare service
 * (Spring Boot); {@code demo [options]} runs the local demo cluster (three fare services as
 * child processes, see {@link DemoCluster}); {@code engine} the single-process walk-through
 * of the state engine ({@link FareDemo}).
 */
public final class Main {

	private Main() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("demo")) {
			DemoCluster.main(Arrays.copyOfRange(args, 1, args.length));
		}
		else if (args.length > 0 && args[0].equals("engine")) {
			FareDemo.main(Arrays.copyOfRange(args, 1, args.length));
		}
		else {
			FareServiceApplication.main(args);
		}
	}

}
