package dev.casq.api;

/** The queue was closed; the request was not applied. */
public class QueueClosedException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error for a request that reached a closed queue.
   *
   * @param message what went wrong, for the caller and the log
   */
  public QueueClosedException(String message) {
    super(message);
  }
}
