package dev.casq.wire;

import dev.casq.api.QueueException;

/**
 * A broker's answer that does not follow the wire format: not JSON, or lacking a field this version
 * needs (client and broker versions differ, or something between them rewrote the body).
 */
public class MalformedReplyException extends QueueException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong with the answer
   */
  public MalformedReplyException(String message) {
    super(message);
  }
}
