/**
 * The application-facing Spring API of Zynco: {@link io.zynco.spring.ZyncoState @ZyncoState}
 * beans (one instance per version of their states) and their
 * {@link io.zynco.spring.ZyncoStateScope scope}, and {@link io.zynco.spring.ZyncoViews} with
 * {@link io.zynco.spring.ViewPin} for pinning a view. See docs/spring-boot.md.
 */
package io.zynco.spring;
