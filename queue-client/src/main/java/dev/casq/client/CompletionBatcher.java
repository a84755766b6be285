package dev.casq.client;

import dev.casq.api.BatchCompleteException;
import dev.casq.api.CasqException;
import dev.casq.api.LeasedJob;
import dev.casq.core.internal.LeaseWatch;
import dev.casq.wire.WireLimits;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Gathers a worker's completions into batch completions ({@code POST .../jobs/complete}), like a
 * group commit: a completion is sent at once when no batch of this worker is in flight, so an idle
 * worker adds no delay; while one is in flight, completions wait and all go out in one request as
 * soon as it is answered (or at once when {@code maxBatch} of them wait, up to {@code maxInFlight}
 * requests). Under load a request thus carries every job finished during the previous request's
 * round trip, and a completion waits at most about one round trip longer than it would alone.
 *
 * <p>A job whose lease the worker counts as lost when its batch is sent (its expiry, on the
 * worker's clock, passed while it waited, or a heartbeat was rejected) is not sent: it is reported
 * {@link Outcome#LEASE_LOST}, never completed. Thread-safe.
 *
 * @param <T> the payload type
 */
final class CompletionBatcher<T> {
  /** What became of one completion. */
  enum Outcome {
    /** The broker completed the job (durable). */
    COMPLETED,
    /** Not sent: the lease was lost before the batch went out. */
    LEASE_LOST,
    /** The broker refused it: the lease was rejected or the job is gone. */
    REJECTED,
    /** The request failed (broker unavailable, outcome unknown...); the lease will expire. */
    FAILED
  }

  /**
   * The outcome of one completion.
   *
   * @param outcome what became of it
   * @param error the error when it was not completed, else null
   */
  record Result(Outcome outcome, Throwable error) {}

  private record Entry<T>(LeasedJob<T> job, LeaseWatch lease, CompletableFuture<Result> done) {}

  private final ClientQueue<T> queue;
  private final Clock clock;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Entry<T>> waiting = new ArrayDeque<>();
  private int inFlight;

  CompletionBatcher(ClientQueue<T> queue, Clock clock) {
    this(queue, clock, WireLimits.MAX_COMPLETE_BATCH, 4);
  }

  CompletionBatcher(ClientQueue<T> queue, Clock clock, int maxBatch, int maxInFlight) {
    if (maxBatch < 1 || maxBatch > WireLimits.MAX_COMPLETE_BATCH || maxInFlight < 1) {
      throw new IllegalArgumentException(
          "maxBatch must be 1.." + WireLimits.MAX_COMPLETE_BATCH + " and maxInFlight positive");
    }
    this.queue = queue;
    this.clock = clock;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  /**
   * Completes {@code job} in the next batch.
   *
   * @param job the job whose handler returned
   * @param lease what the worker knows of its lease
   * @return completes (never exceptionally) with what became of it
   */
  CompletableFuture<Result> complete(LeasedJob<T> job, LeaseWatch lease) {
    CompletableFuture<Result> done = new CompletableFuture<>();
    synchronized (this) {
      waiting.add(new Entry<>(job, lease, done));
    }
    pump();
    return done;
  }

  /** Sends what waits while the rules allow: none in flight, or a full batch and room. */
  private void pump() {
    while (true) {
      List<Entry<T>> batch;
      synchronized (this) {
        boolean send =
            !waiting.isEmpty()
                && (inFlight == 0 || (waiting.size() >= maxBatch && inFlight < maxInFlight));
        if (!send) {
          return;
        }
        batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
        while (batch.size() < maxBatch && !waiting.isEmpty()) {
          batch.add(waiting.poll());
        }
        inFlight++;
      }
      send(batch);
    }
  }

  private void send(List<Entry<T>> batch) {
    List<Entry<T>> sent = new ArrayList<>(batch.size());
    List<LeasedJob<T>> jobs = new ArrayList<>(batch.size());
    for (Entry<T> e : batch) {
      if (e.lease().isLost(clock.instant())) {
        e.done().complete(new Result(Outcome.LEASE_LOST, null));
      } else {
        sent.add(e);
        jobs.add(e.job());
      }
    }
    if (jobs.isEmpty()) {
      ended();
      return;
    }
    CompletableFuture<Void> request;
    try {
      request = queue.completeAllAsync(jobs);
    } catch (RuntimeException e) {
      request = CompletableFuture.failedFuture(e);
    }
    request.whenComplete(
        (v, error) -> {
          try {
            settle(sent, error == null ? null : unwrap(error));
          } finally {
            ended();
          }
        });
  }

  private static <T> void settle(List<Entry<T>> sent, Throwable error) {
    for (int i = 0; i < sent.size(); i++) {
      CompletableFuture<Result> done = sent.get(i).done();
      if (error == null) {
        done.complete(new Result(Outcome.COMPLETED, null));
      } else if (error instanceof BatchCompleteException b) {
        CasqException refused = b.errors().get(i);
        if (refused == null) {
          done.complete(new Result(Outcome.COMPLETED, null));
        } else {
          done.complete(
              new Result(
                  LeaseWatch.isRejection(refused) ? Outcome.REJECTED : Outcome.FAILED, refused));
        }
      } else {
        done.complete(new Result(Outcome.FAILED, error));
      }
    }
  }

  private void ended() {
    synchronized (this) {
      inFlight--;
    }
    pump();
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
