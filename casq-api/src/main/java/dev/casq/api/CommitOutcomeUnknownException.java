package dev.casq.api;

/**
 * casq could not find out whether the write that carried the request landed. The request may or may
 * not have taken effect; retry it with the same idempotency key.
 */
public class CommitOutcomeUnknownException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for a request whose write ended without a clear answer.
   *
   * @param message what went wrong, for the caller and the log
   * @param cause the store error the write ended with
   */
  public CommitOutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
