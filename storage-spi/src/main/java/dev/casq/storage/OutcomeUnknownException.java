package dev.casq.storage;

/**
 * A conditional write was sent but its outcome is unknown (timeout, connection reset, server error
 * after the request left): it may or may not have landed. The caller must re-read and decide; it
 * must never assume either outcome.
 */
public class OutcomeUnknownException extends StorageException {
  private static final long serialVersionUID = 1L;

  public OutcomeUnknownException(String message, Throwable cause) {
    super(message, cause);
  }

  public OutcomeUnknownException(String message) {
    super(message);
  }
}
