package io.zynco.sample.fares;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The fare service's own settings, under {@code sample.*}.
 */
@ConfigurationProperties("sample")
public class SampleProperties {

	/** Number of fares the generated table holds. */
	private int fares = 1_000_000;

	/** Seed of the generated fares and rules: the same seed gives the same table everywhere. */
	private long seed = 42;

	/**
	 * Whether a node that finds the cluster empty (every state at version 0) and is its
	 * coordinator loads the generated table once it is ready.
	 */
	private boolean loadOnStart = true;

	private final Admin admin = new Admin();

	public int getFares() {
		return this.fares;
	}

	public void setFares(int fares) {
		this.fares = fares;
	}

	public long getSeed() {
		return this.seed;
	}

	public void setSeed(long seed) {
		this.seed = seed;
	}

	public boolean isLoadOnStart() {
		return this.loadOnStart;
	}

	public void setLoadOnStart(boolean loadOnStart) {
		this.loadOnStart = loadOnStart;
	}

	public Admin getAdmin() {
		return this.admin;
	}

	/** The operator account of the admin API and the endpoint's write operations. */
	public static class Admin {

		/** User name of the operator account. */
		private String user = "admin";

		/** Password of the operator account; when unset, a random one is generated and logged at start. */
		private String password;

		public String getUser() {
			return this.user;
		}

		public void setUser(String user) {
			this.user = user;
		}

		public String getPassword() {
			return this.password;
		}

		public void setPassword(String password) {
			this.password = password;
		}

	}

}
