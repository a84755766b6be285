package dev.casq.storage;

import java.time.Duration;

/**
 * The store refused the request because it is over a rate limit (for example GCS 429). The write
 * did not happen; retry after {@link #retryAfter()}.
 */
public class BackPressureException extends StorageException {
  private static final long serialVersionUID = 1L;
  private final Duration retryAfter;

  public BackPressureException(String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
