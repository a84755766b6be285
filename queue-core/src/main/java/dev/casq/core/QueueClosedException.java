package dev.casq.core;

/** The queue was closed; the request was not applied. */
public class QueueClosedException extends QueueException {
  private static final long serialVersionUID = 1L;

  public QueueClosedException(String message) {
    super(message);
  }
}
