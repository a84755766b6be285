package dev.casq.core.internal;

import dev.casq.api.QueueException;
import dev.casq.api.RequestFailedException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One caller's command waiting in the engine, with the future the caller holds. Applying it can
 * fail only this caller: whatever it throws becomes its own answer.
 */
final class Pending<R> {
  final Command<R> command;
  final CompletableFuture<R> future = new CompletableFuture<>();

  /** How many writes carrying this command lost their race so far. */
  int lostRaces;

  private R result;
  private Throwable error;
  private boolean rejected; // answered with its error, never applied again

  Pending(Command<R> command) {
    this.command = command;
  }

  /**
   * Applies the command to {@code state}. Returns false when it threw after it may have changed the
   * state (anything but a {@link QueueException} thrown before a change): the caller must then
   * rebuild the state without this command.
   */
  boolean apply(QueueState state, QueueStateMachine machine, Instant now) {
    if (rejected) {
      return true;
    }
    result = null;
    error = null;
    long changesBefore = state.modCount;
    long seqBefore = state.nextSeq;
    try {
      result = command.apply(state, machine, now);
      return true;
    } catch (QueueException e) {
      error = e;
      return state.modCount == changesBefore && state.nextSeq == seqBefore;
    } catch (RuntimeException | StackOverflowError e) {
      error = new RequestFailedException("the request could not be applied: " + e, e);
      return false;
    }
  }

  /** Answers the command with {@code reason}; it is not applied again. */
  void reject(Throwable reason) {
    result = null;
    error = reason;
    rejected = true;
  }

  /** Keeps the error of the last {@link #apply}; the command is not applied again. */
  void rejectForGood() {
    rejected = true;
  }

  /** The error of the last {@link #apply} or rejection, or null. */
  Throwable error() {
    return error;
  }

  boolean failed() {
    return error != null;
  }

  /** Answers the caller with what {@link #apply} produced. */
  void settle() {
    if (error != null) {
      future.completeExceptionally(error);
    } else {
      future.complete(result);
    }
  }

  void fail(Throwable t) {
    future.completeExceptionally(t);
  }
}
