package dev.casq.client;

import dev.casq.api.CasqException;

/**
 * The broker answered with an error the client does not retry and that has no more specific
 * exception: an internal error (500) or a response that does not follow the API.
 */
public class BrokerErrorException extends CasqException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;

  /**
   * An answer of the broker that casq maps to no other exception.
   *
   * @param status the HTTP status, 0 when there was none
   * @param code the broker's error code, or null
   * @param message the broker's message
   */
  public BrokerErrorException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The error code from the body (e.g. {@code internal}), or null when there was none. */
  public String code() {
    return code;
  }
}
