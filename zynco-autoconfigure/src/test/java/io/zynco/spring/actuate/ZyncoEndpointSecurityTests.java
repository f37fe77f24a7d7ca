package io.zynco.spring.actuate;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

import io.zynco.spring.TestStates;

import static org.assertj.core.api.Assertions.assertThat;

/** The security configuration documented in docs/spring-boot.md: writes need an operator. */
@SpringBootTest(classes = ZyncoEndpointSecurityTests.Application.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.autoconfigure.exclude=", "zynco.transfer.mode=unicast",
				"zynco.membership.heartbeat-interval=50ms", "zynco.membership.failure-timeout=500ms",
				"zynco.switching.prepare-timeout=5s", "server.address=127.0.0.1",
				"management.endpoints.web.exposure.include=health,zynco" })
class ZyncoEndpointSecurityTests {

	private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@LocalServerPort
	private int port;

	private int send(String method, String path, @Nullable String user) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(20))
			.header("Content-Type", "application/json")
			.method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}")
					: HttpRequest.BodyPublishers.noBody());
		if (user != null) {
			String credentials = user + ":secret";
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
	}

	@Test
	void aViewerReadsButCannotChange() throws Exception {
		assertThat(send("GET", "/actuator/zynco", "viewer")).isEqualTo(200);
		assertThat(send("POST", "/actuator/zynco/fares/pin", "viewer")).isEqualTo(403);
	}

	@Test
	void anOperatorChanges() throws Exception {
		assertThat(send("POST", "/actuator/zynco/fares/pin", "operator")).isEqualTo(200);
		assertThat(send("POST", "/actuator/zynco/fares/unpin", "operator")).isEqualTo(200);
	}

	@Test
	void anonymousRequestsAreRefusedButHealth() throws Exception {
		assertThat(send("GET", "/actuator/zynco", null)).isEqualTo(401);
		assertThat(send("POST", "/actuator/zynco/fares/pin", null)).isEqualTo(401);
		assertThat(send("GET", "/actuator/health", null)).isIn(200, 503);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(TestStates.StatesConfiguration.class)
	static class Application {

		@Bean
		@Order(1)
		SecurityFilterChain actuator(HttpSecurity http) throws Exception {
			http.securityMatcher(EndpointRequest.toAnyEndpoint())
				.authorizeHttpRequests((requests) -> requests.requestMatchers(EndpointRequest.to(HealthEndpoint.class))
					.permitAll()
					.requestMatchers(HttpMethod.POST, "/actuator/zynco/**")
					.hasRole("ZYNCO_OPERATOR")
					.requestMatchers(EndpointRequest.to("zynco"))
					.hasAnyRole("ZYNCO_OPERATOR", "ZYNCO_VIEWER")
					.anyRequest()
					.hasRole("ACTUATOR"))
				.httpBasic(Customizer.withDefaults())
				.csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()));
			return http.build();
		}

		@Bean
		InMemoryUserDetailsManager users() {
			return new InMemoryUserDetailsManager(
					User.withUsername("viewer").password("{noop}secret").roles("ZYNCO_VIEWER").build(),
					User.withUsername("operator").password("{noop}secret").roles("ZYNCO_OPERATOR").build());
		}

	}

}
