package dev.casq.storage;

/**
 * A store cannot be opened as configured: unknown scheme, malformed URI, bad property, missing
 * bucket or directory, no permission. Nothing was written.
 */
public class StoreConfigurationException extends StorageException {
  private static final long serialVersionUID = 1L;

  public StoreConfigurationException(String message) {
    super(message);
  }

  public StoreConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
