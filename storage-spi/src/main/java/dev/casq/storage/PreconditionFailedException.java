package dev.casq.storage;

/**
 * A conditional write lost: the object did not have the expected version (or, for a create, it
 * already existed). Nothing was written; re-reading and retrying is safe. Losing a race is normal.
 */
public class PreconditionFailedException extends StorageException {
  private static final long serialVersionUID = 1L;

  public PreconditionFailedException(String message) {
    super(message);
  }

  public PreconditionFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
