package io.zynco.spring.actuate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

import io.zynco.replication.ReplicationException;

/**
 * The {@link ZyncoEndpoint} over HTTP, with failures as status codes and a JSON body
 * ({@code reason}, {@code message}): 404 for an unknown state or version, 409 for a change
 * the cluster refused or aborted (busy, pinned, stale base, aborted, coordinator changed),
 * 400 for an invalid request, 503 when the node is not running, 504 when it did not answer
 * in time. Thread-safe.
 */
@EndpointWebExtension(endpoint = ZyncoEndpoint.class)
public class ZyncoEndpointWebExtension {

	private final ZyncoEndpoint delegate;

	public ZyncoEndpointWebExtension(ZyncoEndpoint delegate) {
		this.delegate = delegate;
	}

	@ReadOperation
	public WebEndpointResponse<Object> state(@Selector String name) {
		return respond(() -> this.delegate.state(name));
	}

	@WriteOperation
	public WebEndpointResponse<Object> change(@Selector String state, @Selector String action,
			@Nullable Long version) {
		return respond(() -> this.delegate.change(state, action, version));
	}

	private static WebEndpointResponse<Object> respond(Supplier<Object> operation) {
		try {
			return new WebEndpointResponse<>(operation.get(), WebEndpointResponse.STATUS_OK);
		}
		catch (ReplicationException ex) {
			return error(status(ex.reason()), ex.reason().name(), ex.getMessage());
		}
		catch (IllegalArgumentException ex) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST, ReplicationException.Reason.INVALID.name(),
					ex.getMessage());
		}
		catch (ZyncoEndpoint.TimedOutException ex) {
			return error(504, "TIMEOUT", ex.getMessage());
		}
	}

	/** The HTTP status of a refused request. */
	static int status(ReplicationException.Reason reason) {
		return switch (reason) {
			case NOT_FOUND -> WebEndpointResponse.STATUS_NOT_FOUND;
			case BUSY, PINNED, STALE_BASE, ABORTED, COORDINATOR_CHANGED -> 409;
			case INVALID -> WebEndpointResponse.STATUS_BAD_REQUEST;
			case NOT_RUNNING -> WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE;
		};
	}

	private static WebEndpointResponse<Object> error(int status, String reason, @Nullable String message) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status);
		body.put("reason", reason.toLowerCase(Locale.ROOT));
		body.put("message", (message != null) ? message : reason);
		return new WebEndpointResponse<>(body, status);
	}

}
