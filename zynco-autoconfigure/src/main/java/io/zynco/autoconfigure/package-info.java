/**
 * Spring Boot auto-configuration for Zynco: {@link io.zynco.autoconfigure.ZyncoProperties}
 * ({@code zynco.*}), the node and its {@link io.zynco.autoconfigure.ZyncoLifecycle}, and the
 * failure analysis of invalid configuration. The application-facing API
 * ({@code @ZyncoState}, pinning, events, the routing filter) lives in {@code io.zynco.spring}.
 * See docs/spring-boot.md.
 */
package io.zynco.autoconfigure;
