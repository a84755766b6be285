package dev.casq.core.internal;

import dev.casq.api.CorruptStateException;
import dev.casq.storage.BackPressureException;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StoreConfigurationException;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one sealed batch and finds out what happened to it. Runs on the writer's side, so the
 * engine keeps applying commands meanwhile.
 *
 * <p>Any answer but success is settled by re-reading the object: the commit is found in its recent
 * commit marks (it landed), or the object moved on without it (lost: it can never land, since it
 * was conditioned on a version that is gone), or the object is still at the version the write was
 * conditioned on (it has not landed, but may still land later). In that last case the very same
 * bytes, with the same commit id, are written again on the same condition: whichever copy lands,
 * the other fails its condition, so the batch is never applied twice. An unknown outcome is never
 * taken for a lost race.
 *
 * <p>A write the store refused (precondition failed) every time it was sent never landed and never
 * will: it is lost even when the object has moved on so far (beyond its recent commit marks) that
 * the marks cannot tell. Only a write one of whose sends ended without a clear answer can be of
 * unknowable outcome.
 */
final class CommitAttempt {
  private static final Logger log = LoggerFactory.getLogger(CommitAttempt.class);
  private static final int BACK_PRESSURE_RETRIES = 20;

  private final ObjectStore store; // reads retried by ReadRetryingStore
  private final String key;
  private final Sleeper sleeper;
  private final EngineMetrics metrics;
  private final Consumer<Throwable> trouble; // told of each failed try, for the engine's health
  private final CommitLoop.OutcomePolicy outcomes;

  CommitAttempt(
      ObjectStore store,
      String key,
      Sleeper sleeper,
      EngineMetrics metrics,
      Consumer<Throwable> trouble,
      CommitLoop.OutcomePolicy outcomes) {
    this.outcomes = outcomes;
    this.store = store;
    this.key = key;
    this.sleeper = sleeper;
    this.metrics = metrics;
    this.trouble = trouble;
  }

  WriteOutcome run(InFlightWrite w) {
    boolean unclear = false; // whether a send of these bytes ended without a clear answer
    for (int resend = 0; ; resend++) {
      Throwable failure;
      try {
        return new WriteOutcome.Won(replace(w.bytes(), w.expected()));
      } catch (PreconditionFailedException e) {
        metrics.recordConflict();
        failure = e;
      } catch (StoreConfigurationException e) {
        return new WriteOutcome.Broken(e);
      } catch (RuntimeException e) { // unknown outcome, or any other error: it may have landed
        metrics.recordUnknown();
        trouble.accept(e);
        log.debug(
            "write of {} revision {} ended without a clear answer ({}); re-reading",
            key,
            w.revision(),
            e.toString());
        failure = e;
        unclear = true;
      }
      WriteOutcome outcome = resolve(w, failure, unclear);
      if (outcome != null) {
        return outcome;
      }
      log.info(
          "write of {} revision {} has not landed and may still land; writing the same"
              + " commit again",
          key,
          w.revision());
      sleeper.pause(Math.min(1000, 10L << Math.min(resend, 6)));
    }
  }

  /**
   * Decides by a re-read; null when the write has not landed but still may.
   *
   * @param unclear whether a send of the write ended without a clear answer (else the store refused
   *     every send)
   */
  private WriteOutcome resolve(InFlightWrite w, Throwable failure, boolean unclear) {
    VersionedBytes current;
    QueueState state;
    try {
      Optional<VersionedBytes> read = readUntilAnswered();
      if (read.isEmpty()) {
        return new WriteOutcome.Broken(
            new CorruptStateException(
                "queue object " + key + " was deleted while in use; refusing to recreate it"));
      }
      current = read.get();
      state = StateCodec.decode(current.data());
    } catch (CorruptStateException | StoreConfigurationException e) {
      return new WriteOutcome.Broken(e);
    }
    if (outcomes == CommitLoop.OutcomePolicy.GUESS_LOST_FOR_TESTING
        && !(failure instanceof PreconditionFailedException)) {
      return new WriteOutcome.Lost(current, state); // the guess the simulator must catch
    }
    Boolean landed = state.commitLanded(w.revision(), w.commitId());
    if (Boolean.TRUE.equals(landed)) {
      if (!(failure instanceof PreconditionFailedException)) {
        log.info("write of {} revision {} did land", key, w.revision());
      }
      return new WriteOutcome.Landed(current, state);
    }
    if (landed == null) {
      if (!unclear) {
        return new WriteOutcome.Lost(current, state); // refused every time: it never landed
      }
      return new WriteOutcome.Unknowable(current, state, failure);
    }
    if (current.version().equals(w.expected())) {
      return null; // the object is where the write left it: the write may still land
    }
    return new WriteOutcome.Lost(current, state);
  }

  /** Reads the object, retrying for as long as it takes: the outcome must not be guessed. */
  private Optional<VersionedBytes> readUntilAnswered() {
    for (int i = 0; ; i++) {
      try {
        return store.read(key);
      } catch (StoreConfigurationException e) {
        throw e;
      } catch (dev.casq.storage.StorageException e) {
        trouble.accept(e);
        sleeper.pause(Math.min(5000, 100L << Math.min(i, 6)));
      }
    }
  }

  private Version replace(byte[] bytes, Version expected) {
    for (int i = 0; ; i++) {
      try {
        return store.replace(key, bytes, expected);
      } catch (BackPressureException e) {
        metrics.recordBackPressure();
        if (i >= BACK_PRESSURE_RETRIES) {
          throw e;
        }
        sleeper.pause(Math.max(1, e.retryAfter().toMillis()));
      }
    }
  }
}
