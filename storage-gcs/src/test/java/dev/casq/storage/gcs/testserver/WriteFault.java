package dev.casq.storage.gcs.testserver;

/**
 * A fault the {@link GcsTestServer} injects into the next object writes (multipart and media
 * uploads, and the request that finalizes a resumable upload). Deletes and reads are never faulted.
 */
public enum WriteFault {
  /** Answer 429 {@code rateLimitExceeded}; the write is not applied. */
  RATE_LIMITED,
  /** Apply the write, then answer 503 {@code backendError}. */
  UNAVAILABLE_AFTER_APPLY,
  /** Apply the write, then close the connection without any answer. */
  DROP_AFTER_APPLY,
  /**
   * Apply the write, then hold the answer until {@link GcsTestServer#releaseHeldAnswers()} or
   * {@link GcsTestServer#close()} (a client read timeout fires first).
   */
  HOLD_AFTER_APPLY;

  /** Whether the write is applied before the fault shows. */
  boolean appliesWrite() {
    return this != RATE_LIMITED;
  }
}
