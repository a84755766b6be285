package dev.casq.core;

import dev.casq.storage.CasqException;

/** Base of the errors the queue raises about requests and state. */
public class QueueException extends CasqException {
  private static final long serialVersionUID = 1L;

  public QueueException(String message) {
    super(message);
  }

  public QueueException(String message, Throwable cause) {
    super(message, cause);
  }
}
