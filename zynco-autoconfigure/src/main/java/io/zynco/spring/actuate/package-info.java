/**
 * Actuator and Micrometer integration: the {@code zynco} endpoint and its web extension, the
 * {@code zynco} health indicator and the {@code zynco.*} meters.
 */
package io.zynco.spring.actuate;
