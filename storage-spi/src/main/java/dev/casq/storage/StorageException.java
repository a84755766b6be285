package dev.casq.storage;

import dev.casq.api.CasqException;

/** A store operation failed. Subclasses say whether a conditional write may have landed. */
public class StorageException extends CasqException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
