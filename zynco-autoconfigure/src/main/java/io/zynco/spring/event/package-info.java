/** Spring application events for what happens to a Zynco node's cluster. */
package io.zynco.spring.event;
