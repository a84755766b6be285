package dev.casq.client;

import dev.casq.api.CasqException;

/** The broker refused the bearer token (missing or wrong). Nothing was changed. */
public class UnauthorizedException extends CasqException {
  private static final long serialVersionUID = 1L;

  /**
   * The broker refused the token (401).
   *
   * @param message the broker's message
   */
  public UnauthorizedException(String message) {
    super(message);
  }
}
