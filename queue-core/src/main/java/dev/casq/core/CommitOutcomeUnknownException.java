package dev.casq.core;

/**
 * casq could not find out whether the write that carried the request landed. The request may or
 * may not have taken effect; retry it with the same idempotency key.
 */
public class CommitOutcomeUnknownException extends QueueException {
  private static final long serialVersionUID = 1L;

  public CommitOutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }
}
