package dev.casq.client;

import dev.casq.api.QueueException;

/** The broker does not serve a queue of this name. Nothing was changed. */
public class UnknownQueueException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * The broker serves no queue of that name (404 {@code unknown_queue}).
   *
   * @param message the broker's message
   */
  public UnknownQueueException(String message) {
    super(message);
  }
}
