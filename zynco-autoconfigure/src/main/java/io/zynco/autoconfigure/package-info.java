/**
 * Spring Boot auto-configuration for Zynco. Empty until the starter issue lands: the
 * properties, the {@code @ZyncoState} scope, the routing filter and the Actuator endpoint
 * will live here. See docs/architecture.md.
 */
package io.zynco.autoconfigure;
