/**
 * Reactive integration: the Reactor {@code Context} key holding a reactive request's pin, a
 * {@code Mono} accessor for it, and the Micrometer context-propagation accessor that binds it
 * to the threads of the chain.
 */
package io.zynco.spring.reactive;
