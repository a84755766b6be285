package dev.casq.api;

/**
 * A request could not be applied because of an internal error (a bug): it failed alone, and the
 * queue's state is as if it had never been sent. The cause says what went wrong.
 */
public class RequestFailedException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for a request that failed on an internal error.
   *
   * @param message what went wrong, for the caller and the log
   * @param cause the internal error
   */
  public RequestFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
