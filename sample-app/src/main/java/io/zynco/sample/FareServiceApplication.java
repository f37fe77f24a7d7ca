package io.zynco.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

import io.zynco.sample.fares.SampleProperties;

/**
 * The fare-lookup service: a Spring Boot application that is a Zynco node. See the package
 * {@code io.zynco.sample.fares} and docs/operations.md.
 */
@SpringBootApplication
@EnableConfigurationProperties(SampleProperties.class)
public class FareServiceApplication {

	public static void main(String[] args) {
		SpringApplication.run(FareServiceApplication.class, args);
	}

}
