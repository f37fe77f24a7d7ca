/**
 * Web integration: the servlet filter ({@link io.zynco.spring.web.ZyncoRoutingFilter}) and the
 * reactive web filter ({@link io.zynco.spring.web.ZyncoWebFilter}) that pin each request to one
 * view.
 */
package io.zynco.spring.web;
