package io.zynco.sample.fares;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.zynco.state.Codec;
import io.zynco.state.StateType;

/**
 * The service's two replicated states. Every node declares the same ones: the starter
 * registers each {@link StateType} bean with the node.
 */
@Configuration(proxyBeanMethods = false)
public class FareStates {

	/** Fares by {@link FareKeys key}: about a million entries. */
	public static final StateType<String, Fare> FARES = StateType.of("fares", Codec.utf8(), FareCodecs.fares());

	/** Fare rules by id: ten thousand entries, changed independently of the fares. */
	public static final StateType<String, Rule> RULES = StateType.of("rules", Codec.utf8(), FareCodecs.rules())
		.withSegmentBits(6);

	@Bean
	StateType<String, Fare> fares() {
		return FARES;
	}

	@Bean
	StateType<String, Rule> rules() {
		return RULES;
	}

}
