package dev.casq.core.internal;

import dev.casq.api.QueueException;
import java.time.Instant;

/**
 * One request to change (or read) a queue, applied by the commit engine to the in-memory state.
 * Implementations must be pure: change {@code state} only through {@code machine} or by rules
 * equally deterministic, validate before changing anything, and throw a {@link QueueException} to
 * reject the request (leaving the state unchanged).
 *
 * @param <R> the result handed to the caller once the write containing the command succeeded
 */
public interface Command<R> {
  /**
   * Applies the request to the engine's working state, on the engine thread.
   *
   * @param state the working state, to change through {@code machine}
   * @param machine the state machine of the queue
   * @param now the time of the batch, already applied to the state by a tick
   * @return the result for the caller, handed over once the write that carries it landed
   * @throws QueueException to reject the request; the state must be left unchanged
   */
  R apply(QueueState state, QueueStateMachine machine, Instant now);

  /** True for commands that never change the state: a batch of only these needs no write. */
  default boolean readOnly() {
    return false;
  }

  /** True for commands that add jobs: refused while the queue object is at its largest size. */
  default boolean addsJobs() {
    return false;
  }

  /** A command that adds jobs (see {@link #addsJobs()}). */
  static <R> Command<R> addingJobs(Command<R> c) {
    return new MarkedCommand<>(c, false, true);
  }

  /** A command that never changes the state (see {@link #readOnly()}). */
  static <R> Command<R> readingOnly(Command<R> c) {
    return new MarkedCommand<>(c, true, false);
  }
}
