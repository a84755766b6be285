package dev.casq.core;

/** A request is malformed or out of bounds. Nothing was changed. */
public class InvalidRequestException extends QueueException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }
}
