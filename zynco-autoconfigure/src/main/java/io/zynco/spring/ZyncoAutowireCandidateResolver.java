package io.zynco.spring;

import org.springframework.beans.factory.config.BeanDefinitionHolder;
import org.springframework.beans.factory.config.DependencyDescriptor;
import org.springframework.beans.factory.support.AutowireCandidateResolver;

import io.zynco.replication.ClusterView;
import io.zynco.state.StateView;

/**
 * Resolves {@code StateView<K, V>} and {@link ClusterView} injection points against the view
 * a {@code @ZyncoState} bean is being built for, and delegates everything else to the bean
 * factory's own resolver. Installed by {@link ZyncoStateScope}. Thread-safe.
 */
final class ZyncoAutowireCandidateResolver implements AutowireCandidateResolver {

	private final AutowireCandidateResolver delegate;

	private final ZyncoStateScope scope;

	ZyncoAutowireCandidateResolver(AutowireCandidateResolver delegate, ZyncoStateScope scope) {
		this.delegate = delegate;
		this.scope = scope;
	}

	@Override
	public Object getSuggestedValue(DependencyDescriptor descriptor) {
		Class<?> type = descriptor.getDependencyType();
		if (type == StateView.class) {
			return this.scope.resolveStateView(descriptor);
		}
		if (type == ClusterView.class) {
			return this.scope.resolveClusterView(descriptor);
		}
		return this.delegate.getSuggestedValue(descriptor);
	}

	@Override
	public boolean isAutowireCandidate(BeanDefinitionHolder holder, DependencyDescriptor descriptor) {
		return this.delegate.isAutowireCandidate(holder, descriptor);
	}

	@Override
	public boolean isRequired(DependencyDescriptor descriptor) {
		return this.delegate.isRequired(descriptor);
	}

	@Override
	public boolean hasQualifier(DependencyDescriptor descriptor) {
		return this.delegate.hasQualifier(descriptor);
	}

	@Override
	public String getSuggestedName(DependencyDescriptor descriptor) {
		return this.delegate.getSuggestedName(descriptor);
	}

	@Override
	public Object getLazyResolutionProxyIfNecessary(DependencyDescriptor descriptor, String beanName) {
		return this.delegate.getLazyResolutionProxyIfNecessary(descriptor, beanName);
	}

	@Override
	public Class<?> getLazyResolutionProxyClass(DependencyDescriptor descriptor, String beanName) {
		return this.delegate.getLazyResolutionProxyClass(descriptor, beanName);
	}

	@Override
	public AutowireCandidateResolver cloneIfNecessary() {
		return new ZyncoAutowireCandidateResolver(this.delegate.cloneIfNecessary(), this.scope);
	}

	AutowireCandidateResolver delegate() {
		return this.delegate;
	}

}
