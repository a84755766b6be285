package dev.casq.client;

import dev.casq.core.QueueException;

/** The broker does not serve a queue of this name. Nothing was changed. */
public class UnknownQueueException extends QueueException {
  private static final long serialVersionUID = 1L;

  public UnknownQueueException(String message) {
    super(message);
  }
}
