package dev.casq.client;

import dev.casq.api.CasqException;

/**
 * No broker answered the call before its retry deadline (unreachable, shutting down, overloaded, or
 * none recorded for the queue). When {@link #mayHaveBeenApplied()} is true an attempt reached a
 * broker without an answer coming back, so the request may or may not have taken effect; a push can
 * be retried safely with the same idempotency key.
 */
public class BrokerUnavailableException extends CasqException {
  private static final long serialVersionUID = 1L;
  private final boolean mayHaveBeenApplied;

  /**
   * No broker gave a usable answer before the deadline.
   *
   * @param message what happened
   * @param mayHaveBeenApplied whether an attempt may have been applied
   */
  public BrokerUnavailableException(String message, boolean mayHaveBeenApplied, Throwable cause) {
    super(message, cause);
    this.mayHaveBeenApplied = mayHaveBeenApplied;
  }

  /**
   * Whether an attempt reached a broker without an answer, so the request may have been applied.
   *
   * @return true when the outcome is unknown; retry with the same idempotency key
   */
  public boolean mayHaveBeenApplied() {
    return mayHaveBeenApplied;
  }
}
