package dev.casq.broker;

import dev.casq.api.CasqException;

/** The broker cannot start as configured (bad setting, port in use). Nothing was written. */
public class BrokerConfigurationException extends CasqException {
  private static final long serialVersionUID = 1L;

  public BrokerConfigurationException(String message) {
    super(message);
  }

  public BrokerConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
