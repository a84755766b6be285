package dev.casq.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.casq.api.ClaimRequest;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.PushResult;
import dev.casq.core.Queue;
import dev.casq.core.QueueOptions;
import dev.casq.core.QueuePolicy;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A queue with JSON payloads and asynchronous operations: the embedded core that the typed {@link
 * Queue} and the broker are built on. Every future completes after the write that carries the
 * operation succeeded (or with the error that rejected it).
 */
public final class JobQueue implements AutoCloseable {
  /** What a payload or result may be; the state codec reads back anything within these limits. */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              com.fasterxml.jackson.core.StreamReadConstraints.builder()
                  .maxNestingDepth(QueuePolicy.MAX_PAYLOAD_DEPTH)
                  .maxNumberLength(QueuePolicy.MAX_PAYLOAD_NUMBER_LENGTH)
                  .maxNameLength(QueuePolicy.MAX_PAYLOAD_NAME_LENGTH)
                  .build())
          .build();

  private final GroupCommitEngine engine;
  private final JobHistory history;
  private final StoreLocation location;
  private final boolean ownsLocation;
  private final ScheduledExecutorService timer;
  private final ConcurrentLinkedQueue<ClaimWaiter> waiters = new ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger waitingClaims =
      new java.util.concurrent.atomic.AtomicInteger();

  private JobQueue(StoreLocation location, boolean ownsLocation, QueueOptions options) {
    this.location = location;
    this.ownsLocation = ownsLocation;
    this.engine = new GroupCommitEngine(location, options.policy(), options.engineOptions());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "casq-claim-timer-" + location.key());
              t.setDaemon(true);
              return t;
            });
    engine.onCommit(this::wakeWaiters);
    this.history = new JobHistory(engine);
  }

  /** Opens the queue at a store URI such as {@code file:///tmp/emails.json}. */
  public static JobQueue open(String storeUri, QueueOptions options) {
    return new JobQueue(Stores.open(storeUri, options.storeProperties()), true, options);
  }

  /** Opens the queue on an already opened store location (which the caller keeps owning). */
  public static JobQueue open(StoreLocation location, QueueOptions options) {
    return new JobQueue(location, false, options);
  }

  /**
   * The commit engine that serialises every operation of this queue into group commits; for
   * metrics, health and the broker.
   *
   * @return the engine
   */
  public GroupCommitEngine engine() {
    return engine;
  }

  /**
   * Where the queue lives: the store and the key of the queue object.
   *
   * @return the store location
   */
  public StoreLocation location() {
    return location;
  }

  /** Pushes a job. The payload must be one JSON value. */
  public CompletableFuture<PushResult> push(PushRequest request) {
    try {
      validateJson(request.payloadJson());
    } catch (InvalidRequestException e) {
      return CompletableFuture.failedFuture(e);
    }
    return engine.submit(Command.addingJobs((s, m, now) -> m.push(s, request, now)));
  }

  /** Pushes several jobs; each is accepted or rejected on its own. */
  public List<CompletableFuture<PushResult>> pushAll(List<PushRequest> requests) {
    List<CompletableFuture<PushResult>> futures = new ArrayList<>(requests.size());
    for (PushRequest r : requests) {
      futures.add(push(r));
    }
    return futures;
  }

  /** Claims ready jobs now; the list is empty when there are none. */
  public CompletableFuture<List<Job>> claim(ClaimRequest request) {
    return engine.submit((s, m, now) -> m.claim(s, request, now));
  }

  /**
   * Claims ready jobs, waiting up to {@code wait} for one to become ready (long poll). Completes
   * with an empty list when none came in time.
   */
  public CompletableFuture<List<Job>> claim(ClaimRequest request, Duration wait) {
    Objects.requireNonNull(wait, "wait");
    CompletableFuture<List<Job>> result = new CompletableFuture<>();
    ClaimWaiter w = new ClaimWaiter(request, result);
    if (!wait.isZero() && !wait.isNegative()) {
      waitingClaims.incrementAndGet();
      result.whenComplete((jobs, error) -> waitingClaims.decrementAndGet());
      w.deadline =
          timer.schedule(() -> w.finish(List.of()), wait.toMillis(), TimeUnit.MILLISECONDS);
    }
    w.attempt();
    return result;
  }

  /**
   * How many long-poll claims (a claim with a wait) are unanswered now: a bound on them keeps their
   * memory and wake-ups in check. O(1).
   */
  public int waitingClaims() {
    return waitingClaims.get();
  }

  /**
   * Extends the lease of a job the caller holds, so it is not claimed again while it still works on
   * it.
   *
   * @param jobId the leased job
   * @param leaseToken the token of the caller's lease
   * @param extendBy new lease length counted from now; null for the queue's default lease. It must
   *     be positive and at most the queue's maximum lease ({@link InvalidRequestException})
   * @return the renewed lease; fails with {@link JobNotFoundException} or {@link
   *     LeaseRejectedException} when the caller no longer holds the job
   */
  public CompletableFuture<Lease> heartbeat(String jobId, String leaseToken, Duration extendBy) {
    return engine.submit((s, m, now) -> m.heartbeat(s, jobId, leaseToken, extendBy, now));
  }

  /** Completes a leased job; {@code resultJson} (optional) is kept with the archived job. */
  public CompletableFuture<Job> complete(String jobId, String leaseToken, String resultJson) {
    if (resultJson != null) {
      try {
        validateJson(resultJson);
      } catch (InvalidRequestException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return engine.submit((s, m, now) -> m.complete(s, jobId, leaseToken, resultJson, now));
  }

  /**
   * One job of a batch completion.
   *
   * @param jobId the leased job
   * @param leaseToken the token of the caller's lease
   * @param resultJson the result kept with the archived job, or null
   */
  public record Completion(String jobId, String leaseToken, String resultJson) {}

  /**
   * Completes several leased jobs, submitted together so that they go into the same write. Each is
   * decided on its own, as {@link #complete} decides it: one refused (lease rejected, job not
   * found, result not JSON) does not affect the others.
   *
   * @param completions the jobs, each id at most once
   * @return one future per job, in order
   * @throws InvalidRequestException when a job id appears twice (nothing is submitted)
   */
  public List<CompletableFuture<Job>> completeAll(List<Completion> completions) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < completions.size(); i++) {
      Completion c = completions.get(i);
      if (c.jobId() != null && !ids.add(c.jobId())) {
        throw new InvalidRequestException(
            "job " + c.jobId() + " appears twice in one batch completion (#" + i + ")");
      }
    }
    List<Command<Job>> commands = new ArrayList<>(completions.size());
    for (Completion c : completions) {
      InvalidRequestException bad = null;
      if (c.resultJson() != null) {
        try {
          validateJson(c.resultJson());
        } catch (InvalidRequestException e) {
          bad = e;
        }
      }
      InvalidRequestException refusal = bad;
      commands.add(
          (s, m, now) -> {
            if (refusal != null) {
              throw refusal;
            }
            return m.complete(s, c.jobId(), c.leaseToken(), c.resultJson(), now);
          });
    }
    return engine.submitAll(commands);
  }

  /** Reports a failed attempt; returns QUEUED when it will be retried, DEAD otherwise. */
  public CompletableFuture<JobStatus> fail(
      String jobId, String leaseToken, String error, boolean retry) {
    return engine.submit((s, m, now) -> m.fail(s, jobId, leaseToken, error, retry, now));
  }

  /** Gives a leased job back without counting the attempt. */
  public CompletableFuture<Void> release(String jobId, String leaseToken) {
    return engine.submit(
        (s, m, now) -> {
          m.release(s, jobId, leaseToken, now);
          return null;
        });
  }

  /**
   * Cancels a queued or leased job; a lease on it becomes invalid, so its worker can no longer
   * complete or fail it.
   *
   * @param jobId the job to cancel
   * @return the cancelled job; fails with {@link JobNotFoundException} when no live job has this id
   */
  public CompletableFuture<Job> cancel(String jobId) {
    return engine.submit((s, m, now) -> m.cancel(s, jobId, now));
  }

  /**
   * The job wherever it is: live (in the queue object, a segment or a leased-jobs object), finished
   * and waiting for its archive, or archived (found through the history indexes).
   */
  public CompletableFuture<Job> get(String jobId) {
    return history.find(jobId);
  }

  /**
   * Lists, retries and purges jobs live and archived.
   *
   * @return the queue's job history
   */
  public JobHistory history() {
    return history;
  }

  /**
   * Counts of the queue's jobs by status and its lifetime counters, as of the engine's current
   * state (no write).
   *
   * @return the statistics
   */
  public CompletableFuture<QueueStats> stats() {
    return engine.submit(Command.readingOnly((s, m, now) -> m.stats(s, now)));
  }

  /** Runs an arbitrary command through the engine (used by broker election). */
  public <R> CompletableFuture<R> submit(Command<R> command) {
    return engine.submit(command);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    history.close();
    engine.close();
    for (ClaimWaiter w; (w = waiters.poll()) != null; ) {
      w.finish(List.of());
    }
    if (ownsLocation) {
      location.close();
    }
  }

  /**
   * Rejects text that is not exactly one JSON value, or that nests deeper than {@value
   * QueuePolicy#MAX_PAYLOAD_DEPTH} levels, or has a number longer than {@value
   * QueuePolicy#MAX_PAYLOAD_NUMBER_LENGTH} characters or a key longer than {@value
   * QueuePolicy#MAX_PAYLOAD_NAME_LENGTH}. The text is kept as it is, so a JSON escape of a lone
   * surrogate ({@code "\\ud800"}) is kept verbatim; a lone surrogate char (which has no UTF-8 form)
   * is refused by the state machine.
   */
  static void validateJson(String json) {
    // Parsed from its UTF-8 bytes, as the codec will read it back: the byte parser is the stricter
    // one (it refuses, for one, a key holding the escape of a lone surrogate).
    try (JsonParser p = JSON.createParser(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new InvalidRequestException("payload must be a JSON value, got nothing");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw new InvalidRequestException("payload must be one JSON value; found more after it");
      }
    } catch (IOException e) {
      // the message quotes the text: it must not carry a lone surrogate on to the caller
      throw new InvalidRequestException(
          "payload is not valid JSON: " + TextRules.replaceLoneSurrogates(e.getMessage()));
    }
  }

  private void wakeWaiters(QueueState state) {
    int ready = state.readyCount();
    for (int i = 0; i < ready; i++) {
      ClaimWaiter w = waiters.poll();
      if (w == null) {
        return;
      }
      w.attempt();
    }
  }

  /**
   * One long-poll claim. A claim in flight is never abandoned: if the deadline passes meanwhile,
   * the caller still gets what that claim returns (a little late) rather than leaving jobs leased
   * to nobody.
   */
  private final class ClaimWaiter {
    final ClaimRequest request;
    final CompletableFuture<List<Job>> result;
    volatile java.util.concurrent.ScheduledFuture<?> deadline;
    private boolean inFlight;
    private boolean expired;

    ClaimWaiter(ClaimRequest request, CompletableFuture<List<Job>> result) {
      this.request = request;
      this.result = result;
    }

    void attempt() {
      synchronized (this) {
        if (result.isDone() || inFlight) {
          return;
        }
        inFlight = true;
      }
      engine
          .submit((s, m, now) -> m.claim(s, request, now))
          .whenComplete(
              (jobs, error) -> {
                boolean wait = false;
                synchronized (this) {
                  inFlight = false;
                  if (error != null) {
                    result.completeExceptionally(error);
                  } else if (!jobs.isEmpty()) {
                    result.complete(jobs);
                  } else if (deadline == null || expired) {
                    result.complete(List.of());
                  } else {
                    wait = true;
                    waiters.add(this);
                  }
                }
                if (!wait) {
                  cancelDeadline();
                }
              });
    }

    void finish(List<Job> jobs) {
      synchronized (this) {
        expired = true;
        if (inFlight) {
          return; // the claim in flight completes the result
        }
        waiters.remove(this);
        result.complete(jobs);
      }
    }

    void cancelDeadline() {
      java.util.concurrent.ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
    }
  }

  // ------------------------------------------------------------------ recurring schedules

  /** Creates or replaces a recurring schedule (see {@link QueueStateMachine#putSchedule}). */
  public CompletableFuture<dev.casq.api.ScheduleInfo> putSchedule(dev.casq.api.Schedule schedule) {
    try {
      validateJson(schedule.payloadJson());
    } catch (InvalidRequestException e) {
      return CompletableFuture.failedFuture(e);
    }
    return engine.submit((s, m, now) -> m.putSchedule(s, schedule, now));
  }

  /** Deletes a recurring schedule; completes with false when there is none of that name. */
  public CompletableFuture<Boolean> deleteSchedule(String name) {
    return engine.submit((s, m, now) -> m.deleteSchedule(s, name, now));
  }

  /** The queue's recurring schedules, by name. */
  public CompletableFuture<List<dev.casq.api.ScheduleInfo>> schedules() {
    return engine.submit(Command.readingOnly((s, m, now) -> m.schedules(s, now)));
  }
}
