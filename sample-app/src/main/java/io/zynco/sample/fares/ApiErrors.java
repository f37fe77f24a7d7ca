package io.zynco.sample.fares;

import java.io.IOException;
import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import io.zynco.replication.ReplicationException;

/**
 * Maps failures to problem details: bad input 400, unknown route or fare 404, a change that
 * conflicts with the cluster's state (stale base, another publish running, a switch aborted)
 * 409, a node that is not running 503.
 */
@RestControllerAdvice
class ApiErrors {

	private static final Logger logger = LoggerFactory.getLogger(ApiErrors.class);

	@ExceptionHandler(IllegalArgumentException.class)
	ProblemDetail badRequest(IllegalArgumentException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	@ExceptionHandler(FareChanges.NotFound.class)
	ProblemDetail notFound(FareChanges.NotFound ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
	}

	@ExceptionHandler(IllegalStateException.class)
	ProblemDetail conflict(IllegalStateException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
	}

	@ExceptionHandler(IOException.class)
	ProblemDetail io(IOException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "cannot read or write the file: " + ex);
	}

	@ExceptionHandler(CompletionException.class)
	ProblemDetail publishFailed(CompletionException ex) {
		if (ex.getCause() instanceof ReplicationException replication) {
			HttpStatus status = switch (replication.reason()) {
				case NOT_RUNNING -> HttpStatus.SERVICE_UNAVAILABLE;
				case NOT_FOUND -> HttpStatus.NOT_FOUND;
				default -> HttpStatus.CONFLICT;
			};
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, replication.getMessage());
			problem.setProperty("reason", replication.reason().name());
			return problem;
		}
		if (ex.getCause() instanceof IllegalArgumentException bad) {
			return badRequest(bad);
		}
		logger.warn("Publish failed", ex.getCause());
		return ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR, String.valueOf(ex.getCause()));
	}

}
