package io.zynco.sample.fares;

import java.security.SecureRandom;
import java.util.Base64;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Reads are public: the fare API, health, and the {@code zynco} endpoint's read operations.
 * Writes need the role {@code ZYNCO_OPERATOR} (HTTP Basic): the admin API and the endpoint's
 * switch, rollback and pin operations. The operator account is {@code sample.admin.user} with
 * {@code sample.admin.password} (a random password is generated and logged when it is not
 * set). Stateless, without CSRF protection: the callers are tools, not browsers.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	static final String OPERATOR = "ZYNCO_OPERATOR";

	private static final Logger logger = LoggerFactory.getLogger(SecurityConfiguration.class);

	@Bean
	SecurityFilterChain fareServiceSecurity(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests.requestMatchers("/admin/**")
			.hasRole(OPERATOR)
			.requestMatchers(HttpMethod.POST, "/actuator/**")
			.hasRole(OPERATOR)
			.requestMatchers(HttpMethod.DELETE, "/actuator/**")
			.hasRole(OPERATOR)
			.requestMatchers(HttpMethod.GET, "/api/**", "/actuator/**", "/")
			.permitAll()
			.requestMatchers("/error")
			.permitAll()
			.anyRequest()
			.denyAll())
			.httpBasic(Customizer.withDefaults())
			.csrf((csrf) -> csrf.disable())
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	UserDetailsService operators(SampleProperties properties) {
		String password = properties.getAdmin().getPassword();
		if (password == null || password.isBlank()) {
			byte[] random = new byte[18];
			new SecureRandom().nextBytes(random);
			password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
			logger.warn("sample.admin.password is not set: the operator account '{}' got the generated password {}",
					properties.getAdmin().getUser(), password);
		}
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		return new InMemoryUserDetailsManager(User.withUsername(properties.getAdmin().getUser())
			.password(encoder.encode(password))
			.roles(OPERATOR)
			.build());
	}

}
