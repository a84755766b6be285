package dev.casq.api;

/** Base of the errors the queue raises about requests and state. */
public class QueueException extends CasqException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates a queue error.
   *
   * @param message what went wrong, for the caller and the log
   */
  public QueueException(String message) {
    super(message);
  }

  /**
   * Creates a queue error with its cause.
   *
   * @param message what went wrong, for the caller and the log
   * @param cause the error that caused it
   */
  public QueueException(String message, Throwable cause) {
    super(message, cause);
  }
}
