package io.zynco.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Scope;
import org.springframework.context.annotation.ScopedProxyMode;
import org.springframework.core.annotation.AliasFor;

/**
 * Puts a bean in the {@code zynco} scope: the bean exists once per version of the named
 * states, built from that version. On a {@code @Component} class or a {@code @Bean} method:
 *
 * <pre class="code">
 * &#064;Component
 * &#064;ZyncoState("fares")
 * class FareIndex {
 *
 *     FareIndex(StateView&lt;String, Fare&gt; fares) { ... build an index of this version ... }
 *
 * }
 * </pre>
 *
 * <p>The constructor (or an {@code @Autowired} field or method) may take a
 * {@code StateView<K, V>} of each named state, matched by the generic types of the
 * {@code StateType<K, V>} beans among the bean's states (when two of its states have the same
 * types, name the parameter after the state or qualify it with
 * {@code @Qualifier("state-name")}), or the {@link io.zynco.replication.ClusterView} of the
 * named states. Instances for a new version
 * are built while the cluster prepares the switch, before it; a constructor or init method
 * that throws refuses the switch, which aborts it on every member. Callers inject a proxy
 * (a CGLIB subclass by default, so the class must not be final) that routes every call to the
 * instance of the view pinned on the calling thread (a web request's, see
 * {@link ZyncoViews#pin()}) or, when none is, of the active view at call time. An instance is
 * destroyed (its destroy callbacks run) once no active, preparing or pinned view uses it and,
 * unless {@code zynco.scope.retain-inactive=false}, its versions have left the window.
 *
 * @see ZyncoViews
 * @see ZyncoStateScope
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Scope(ZyncoStateScope.NAME)
public @interface ZyncoState {

	/** Alias for {@link #states()}. */
	@AliasFor("states")
	String[] value() default {};

	/**
	 * Names of the states the bean is built from: a new instance is built whenever one of them
	 * switches to another version, and only then. Empty means every registered state.
	 */
	@AliasFor("value")
	String[] states() default {};

	/**
	 * How callers reach the instance of their view: a class-based proxy by default;
	 * {@link ScopedProxyMode#INTERFACES} for a JDK proxy of the bean's interfaces.
	 */
	@AliasFor(annotation = Scope.class)
	ScopedProxyMode proxyMode() default ScopedProxyMode.TARGET_CLASS;

}
