package dev.casq.core.internal;

/**
 * Checked by the commit engine against every state it is about to write over, so that a writer that
 * has been replaced stops writing. Throw {@link FencedException} to fence the engine for good.
 */
@FunctionalInterface
public interface CommitGuard {
  /** No guard: embedded writers share the object and settle conflicts by compare-and-swap. */
  CommitGuard NONE = state -> {};

  /**
   * Checks the state the engine is about to replace.
   *
   * @param current the state last read or written
   * @throws FencedException if this writer must not write over it
   */
  void check(QueueState current);
}
