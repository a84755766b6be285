package dev.casq.wire;

import dev.casq.api.InvalidRequestException;

/**
 * A request body that breaks the wire format: malformed JSON, a wrong type, a missing or unknown
 * field, a value out of its bound. The message names the field. Answered as 400 {@code
 * invalid_request}; nothing changed.
 */
public class WireFormatException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong, naming the field
   */
  public WireFormatException(String message) {
    super(message);
  }
}
