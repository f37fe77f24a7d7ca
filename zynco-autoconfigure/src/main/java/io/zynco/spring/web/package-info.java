/** Servlet integration: the filter that pins each request to one view. */
package io.zynco.spring.web;
