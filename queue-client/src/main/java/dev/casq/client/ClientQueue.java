package dev.casq.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.BatchCompleteException;
import dev.casq.api.BatchPushException;
import dev.casq.api.CasqException;
import dev.casq.api.ClaimRequest;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobFilter;
import dev.casq.api.JobHandler;
import dev.casq.api.JobHandlers;
import dev.casq.api.JobInfo;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.JobPage;
import dev.casq.api.JobStatus;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.api.QueueClosedException;
import dev.casq.api.QueueStats;
import dev.casq.api.WorkerOptions;
import dev.casq.wire.BatchReply;
import dev.casq.wire.BrokerView;
import dev.casq.wire.ClaimBody;
import dev.casq.wire.CompleteAllBody;
import dev.casq.wire.CompleteAllReply;
import dev.casq.wire.CompleteBody;
import dev.casq.wire.DeadFilterBody;
import dev.casq.wire.FailBody;
import dev.casq.wire.HeartbeatBody;
import dev.casq.wire.JobPageReply;
import dev.casq.wire.JobView;
import dev.casq.wire.LeasedJobView;
import dev.casq.wire.ListQuery;
import dev.casq.wire.MalformedReplyException;
import dev.casq.wire.PushBody;
import dev.casq.wire.PushReply;
import dev.casq.wire.ReleaseBody;
import dev.casq.wire.ReplyReader;
import dev.casq.wire.StatsView;
import dev.casq.wire.StatusReply;
import dev.casq.wire.WireLimits;
import dev.casq.wire.WireWriter;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The {@link dev.casq.api.Queue} of a queue served by a broker, with payloads of type {@code T}
 * (converted with Jackson). Blocking methods wait for the broker's answer (retries included); the
 * {@code ...Async} variants return futures and never block the caller. Obtain one with {@link
 * CasqClient#queue(Class)}.
 *
 * <p>Retries are safe:
 *
 * <ul>
 *   <li>Every push carries an idempotency key (the caller's, or a random UUID generated once per
 *       call and reused by its retries), so a retry after a timeout never creates a second job.
 *   <li>{@code complete}, {@code fail}, {@code release} and {@code cancel}: when an earlier attempt
 *       of the same call reached a broker but its answer was lost, a retry that finds the job gone
 *       ({@code not_found}) or no longer leased with this token ({@code lease_rejected}) counts as
 *       success: the first attempt most likely landed. (If it did not, the lease simply expires and
 *       the job runs again: at-least-once delivery is kept.)
 *   <li>{@code claim}: every claim carries a request id (the request's own, or a random UUID
 *       generated once per call and reused by its retries); a retry whose first attempt was applied
 *       but whose answer was lost gets the same jobs with the same lease tokens, not other jobs.
 * </ul>
 */
public final class ClientQueue<T> implements dev.casq.api.Queue<T> {
  private final CasqClient client;
  private final ClientConfig config;
  private final BrokerConnection connection;
  private final JavaType type;
  private final String base;

  ClientQueue(CasqClient client, ClientConfig config, BrokerConnection connection, JavaType type) {
    this.client = client;
    this.config = config;
    this.connection = connection;
    this.type = type;
    this.base = "/v1/queues/" + encode(config.queueName());
  }

  /** The queue's name on the broker. */
  public String name() {
    return config.queueName();
  }

  /** The queue's path on the broker's HTTP API, {@code /v1/queues/<name, URL-encoded>}. */
  public String path() {
    return base;
  }

  /** The client this queue belongs to. */
  public CasqClient client() {
    return client;
  }

  // ------------------------------------------------------------------ push

  /** Pushes a job and returns its id once the broker has made it durable. */
  @Override
  public String push(T payload) {
    return await(pushAsync(payload, PushOptions.none())).jobId();
  }

  /** Pushes with options (key, priority, delay, run-at, type, attempts). */
  @Override
  public PushResult push(T payload, PushOptions options) {
    return await(pushAsync(payload, options));
  }

  /**
   * Pushes a job; the future completes once it is durable (never blocks the caller).
   *
   * @param payload the job's payload, converted to JSON
   * @return the job's id and duplicate flag
   */
  @Override
  public CompletableFuture<PushResult> pushAsync(T payload) {
    return pushAsync(payload, PushOptions.none());
  }

  /**
   * Pushes asynchronously. The result's {@code duplicate} is true only when a job with the caller's
   * own key already existed; a retry of this very call that meets its own first attempt reports
   * {@code duplicate=false}.
   */
  @Override
  public CompletableFuture<PushResult> pushAsync(T payload, PushOptions options) {
    try {
      return pushRaw(toJson(payload), options);
    } catch (CasqException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Pushes a payload given as JSON text (one JSON value), e.g. from a command line. */
  public PushResult pushJson(String payloadJson, PushOptions options) {
    return await(pushJsonAsync(payloadJson, options));
  }

  /**
   * Pushes a job whose payload is already JSON text (kept byte for byte).
   *
   * @param payloadJson one JSON value
   * @param options the push's options
   * @return the job's id and duplicate flag
   */
  public CompletableFuture<PushResult> pushJsonAsync(String payloadJson, PushOptions options) {
    Objects.requireNonNull(payloadJson, "payloadJson");
    try {
      validateJson(payloadJson);
    } catch (CasqException e) {
      return CompletableFuture.failedFuture(e);
    }
    return pushRaw(payloadJson, options);
  }

  private CompletableFuture<PushResult> pushRaw(String payloadJson, PushOptions options) {
    PushOptions o = options == null ? PushOptions.none() : options;
    boolean ownKey = o.idempotencyKey() != null;
    String key = ownKey ? o.idempotencyKey() : UUID.randomUUID().toString();
    byte[] body;
    try {
      body = WireWriter.push(pushBody(payloadJson, o, key));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(invalidPayload(e));
    }
    return call("POST", base + "/jobs", body, null, "push to queue " + name())
        .thenApply(
            reply -> {
              PushReply r = read(reply, null, ReplyReader::push);
              boolean duplicate = r.duplicate();
              if (duplicate && !ownKey && reply.retriedAfterUnknownOutcome()) {
                duplicate = false; // our own earlier attempt landed; not a duplicate to the caller
              }
              return new PushResult(r.id(), duplicate);
            });
  }

  /**
   * Pushes many jobs, 1000 per request; each gets its own generated idempotency key.
   *
   * @return one result per payload, in order
   * @throws BatchPushException when some were rejected (the others were pushed)
   */
  @Override
  public List<PushResult> pushAll(List<? extends T> payloads) {
    return await(pushAllAsync(payloads, PushOptions.none()));
  }

  /**
   * Pushes many jobs with the same options (priority, delay, type...). The options must not hold an
   * idempotency key: a key names one job.
   */
  @Override
  public List<PushResult> pushAll(List<? extends T> payloads, PushOptions options) {
    return await(pushAllAsync(payloads, options));
  }

  /**
   * Pushes many jobs, 1000 per request, each with its own idempotency key.
   *
   * @param payloads the jobs' payloads
   * @param options options applied to every job; they must not hold a key (each job gets its own)
   * @return one result per payload, in order; fails with {@link BatchPushException} when some were
   *     refused
   */
  @Override
  public CompletableFuture<List<PushResult>> pushAllAsync(
      List<? extends T> payloads, PushOptions options) {
    PushOptions o = options == null ? PushOptions.none() : options;
    if (o.idempotencyKey() != null) {
      return CompletableFuture.failedFuture(
          new InvalidRequestException(
              "pushAll gives each job its own key; the options must not hold one"));
    }
    if (payloads.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<String> jsons = new ArrayList<>(payloads.size());
    try {
      for (T p : payloads) {
        jsons.add(toJson(p));
      }
    } catch (CasqException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<JsonPush> pushes = new ArrayList<>(jsons.size());
    for (String json : jsons) {
      pushes.add(new JsonPush(json, o.key(UUID.randomUUID().toString())));
    }
    return pushAllJsonAsync(pushes);
  }

  /**
   * Pushes many jobs whose payloads are already JSON text (kept byte for byte), each with its own
   * options, 1000 per request. Unlike {@link #pushAllAsync}, no key is generated: a job whose
   * options hold no idempotency key is pushed without one (a request retried after an answer was
   * lost may then push it twice).
   *
   * @param pushes the jobs, in order
   * @return one result per job, in order; fails with {@link BatchPushException} when some were
   *     refused (the others were pushed)
   */
  public CompletableFuture<List<PushResult>> pushAllJsonAsync(List<JsonPush> pushes) {
    if (pushes.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    int chunk = WireLimits.MAX_BATCH; // the most jobs one batch request may carry
    List<CompletableFuture<List<Object>>> parts = new ArrayList<>();
    for (int from = 0; from < pushes.size(); from += chunk) {
      parts.add(pushChunk(pushes.subList(from, Math.min(pushes.size(), from + chunk))));
    }
    int total = pushes.size();
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              List<PushResult> results = new ArrayList<>(total);
              Map<Integer, CasqException> errors = new HashMap<>();
              for (CompletableFuture<List<Object>> part : parts) {
                for (Object item : part.join()) {
                  if (item instanceof PushResult r) {
                    results.add(r);
                  } else {
                    errors.put(results.size(), (CasqException) item);
                    results.add(null);
                  }
                }
              }
              if (!errors.isEmpty()) {
                throw new BatchPushException(
                    Arrays.asList(results.toArray(PushResult[]::new)), errors);
              }
              return List.copyOf(results);
            });
  }

  private CompletableFuture<List<Object>> pushChunk(List<JsonPush> jobs) {
    byte[] body;
    try {
      List<PushBody> bodies = new ArrayList<>(jobs.size());
      for (JsonPush job : jobs) {
        bodies.add(pushBody(job.payloadJson(), job.options(), job.options().idempotencyKey()));
      }
      body = WireWriter.batch(bodies);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(invalidPayload(e));
    }
    int size = jobs.size();
    return call(
            "POST", base + "/jobs/batch", body, null, "push " + size + " jobs to queue " + name())
        .thenApply(
            reply -> {
              List<BatchReply.Result> results = read(reply, null, ReplyReader::batch).results();
              if (results.size() != size) {
                throw new BrokerErrorException(
                    reply.status(),
                    null,
                    "the broker answered a batch of "
                        + size
                        + " with "
                        + results.size()
                        + " results");
              }
              List<Object> out = new ArrayList<>(size);
              for (BatchReply.Result r : results) {
                if (r.error() != null) {
                  out.add(Errors.of(r.error(), null));
                } else {
                  boolean dup = r.pushed().duplicate() && !reply.retriedAfterUnknownOutcome();
                  out.add(new PushResult(r.pushed().id(), dup));
                }
              }
              return out;
            });
  }

  /** The wire body of a push; a run-at wins over a delay, as the queue reads them. */
  private static PushBody pushBody(String payloadJson, PushOptions o, String key) {
    return new PushBody(
        payloadJson,
        o.type(),
        o.priority(),
        o.runAt(),
        o.runAt() == null ? o.delay() : null,
        o.maxAttempts(),
        key);
  }

  // ------------------------------------------------------------------ claim

  /** Claims one job that is ready now, if there is one. */
  @Override
  public Optional<LeasedJob<T>> claim(String worker) {
    List<LeasedJob<T>> got = claim(ClaimRequest.one(worker), Duration.ZERO);
    return got.isEmpty() ? Optional.empty() : Optional.of(got.get(0));
  }

  /**
   * Claims up to {@code request.limit()} jobs, waiting up to {@code wait} (at most 60s) for one to
   * become ready (long poll). Returns an empty list when none came in time.
   */
  @Override
  public List<LeasedJob<T>> claim(ClaimRequest request, Duration wait) {
    return await(claimAsync(request, wait));
  }

  /**
   * Claims up to {@code request.limit()} jobs, waiting up to {@code wait} for one (long poll).
   *
   * @param request worker, lease, limit and types
   * @param wait how long the broker waits for a job when none is ready, at most 60s
   * @return the leased jobs, empty when none became ready in time
   */
  @Override
  public CompletableFuture<List<LeasedJob<T>>> claimAsync(ClaimRequest request, Duration wait) {
    Objects.requireNonNull(request, "request");
    Duration w = wait == null ? Duration.ZERO : wait;
    if (w.isNegative() || w.compareTo(WireLimits.MAX_WAIT) > 0) {
      return CompletableFuture.failedFuture(
          new InvalidRequestException(
              "claim wait must be from 0 to " + WireLimits.MAX_WAIT.toSeconds() + "s, got " + w));
    }
    // one id per claim, sent again by every retry of it: a retried claim whose first attempt was
    // applied (its answer lost) gets that lease back instead of a second job
    String requestId =
        request.requestId() != null ? request.requestId() : UUID.randomUUID().toString();
    byte[] body =
        WireWriter.claim(
            new ClaimBody(
                request.worker(), request.lease(), request.limit(), w, request.types(), requestId));
    return call("POST", base + "/claim", body, w, "claim from queue " + name())
        .thenApply(
            reply -> {
              List<LeasedJobView> jobs = read(reply, null, ReplyReader::claim).jobs();
              List<LeasedJob<T>> out = new ArrayList<>(jobs.size());
              for (LeasedJobView j : jobs) {
                out.add(
                    new LeasedJob<>(
                        j.id(),
                        fromJson(j.payloadJson(), j.id()),
                        j.payloadJson(),
                        j.leaseToken(),
                        j.leaseExpiresAt(),
                        j.attempts(),
                        j.maxAttempts(),
                        j.type(),
                        j.priority()));
              }
              return out;
            });
  }

  // ------------------------------------------------------------------ leased jobs

  /** Extends the lease by the queue's default lease; returns the new expiry (broker clock). */
  @Override
  public Instant heartbeat(LeasedJob<T> job) {
    return await(heartbeatAsync(job, null));
  }

  /** Extends the lease to now + {@code extend}; returns the new expiry (broker clock). */
  @Override
  public Instant heartbeat(LeasedJob<T> job, Duration extend) {
    return await(heartbeatAsync(job, extend));
  }

  /**
   * Extends the lease of a job this caller holds.
   *
   * @param job the leased job
   * @param extend the new lease from now; null for the queue's default lease
   * @return the new expiry (broker clock)
   */
  @Override
  public CompletableFuture<Instant> heartbeatAsync(LeasedJob<T> job, Duration extend) {
    byte[] body = WireWriter.heartbeat(new HeartbeatBody(job.leaseToken(), extend));
    return call(
            "POST",
            jobPath(job.id(), "heartbeat"),
            body,
            null,
            "heartbeat job " + job.id() + " of queue " + name())
        .thenApply(
            reply -> {
              return read(reply, job.id(), ReplyReader::heartbeat).leaseExpiresAt();
            });
  }

  /** Completes the job. */
  @Override
  public void complete(LeasedJob<T> job) {
    await(completeAsync(job, null));
  }

  /** Completes the job with a result (any Jackson-convertible value) kept with it. */
  @Override
  public void complete(LeasedJob<T> job, Object result) {
    await(completeAsync(job, result));
  }

  /**
   * Completes a job this caller holds.
   *
   * @param job the leased job
   * @param result converted to JSON and kept with the archived job; null for none
   * @return completes once the completion is durable
   */
  @Override
  public CompletableFuture<Void> completeAsync(LeasedJob<T> job, Object result) {
    String resultJson;
    try {
      resultJson = result == null ? null : toJson(result);
    } catch (CasqException e) {
      return CompletableFuture.failedFuture(e);
    }
    byte[] body = WireWriter.complete(new CompleteBody(job.leaseToken(), resultJson));
    return call(
            "POST",
            jobPath(job.id(), "complete"),
            body,
            null,
            "complete job " + job.id() + " of queue " + name())
        // a complete that landed removes the job: its retry gets not_found. lease_rejected means
        // the lease expired and the job was claimed again, so it did not complete here.
        .thenApply(reply -> settleLeaseOp(reply, job.id(), false))
        .thenApply(n -> null);
  }

  /**
   * Completes many jobs, without results, one request per 1000 jobs; see {@link #completeAllAsync}.
   */
  @Override
  public void completeAll(List<? extends LeasedJob<T>> jobs) {
    await(completeAllAsync(jobs));
  }

  /**
   * {@inheritDoc}
   *
   * <p>One request ({@code POST .../jobs/complete}) carries up to {@link
   * WireLimits#MAX_COMPLETE_BATCH} jobs; a longer list is sent as several requests at once. A
   * request retried after its answer was lost counts a job the broker no longer knows ({@code
   * not_found}) as completed, as {@link #completeAsync} does: the first attempt most likely
   * completed it.
   */
  @Override
  public CompletableFuture<Void> completeAllAsync(List<? extends LeasedJob<T>> jobs) {
    if (jobs.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    java.util.Set<String> ids = new java.util.HashSet<>();
    List<CompleteAllBody.Item> items = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      LeasedJob<T> job = jobs.get(i);
      if (job.id() == null || job.id().isBlank() || job.leaseToken() == null) {
        return CompletableFuture.failedFuture(
            new InvalidRequestException("job #" + i + " of the batch has no id or lease token"));
      }
      if (!ids.add(job.id())) {
        return CompletableFuture.failedFuture(
            new InvalidRequestException(
                "job " + job.id() + " appears twice in one batch completion (#" + i + ")"));
      }
      items.add(new CompleteAllBody.Item(job.id(), job.leaseToken(), null));
    }
    int chunk = WireLimits.MAX_COMPLETE_BATCH;
    List<CompletableFuture<List<CasqException>>> parts = new ArrayList<>();
    for (int from = 0; from < items.size(); from += chunk) {
      parts.add(completeChunk(items.subList(from, Math.min(items.size(), from + chunk))));
    }
    int total = items.size();
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              Map<Integer, CasqException> errors = new HashMap<>();
              int at = 0;
              for (CompletableFuture<List<CasqException>> part : parts) {
                for (CasqException e : part.join()) {
                  if (e != null) {
                    errors.put(at, e);
                  }
                  at++;
                }
              }
              if (!errors.isEmpty()) {
                throw new BatchCompleteException(total, errors);
              }
              return null;
            });
  }

  /** One request of a batch completion: null where a job was completed, else its refusal. */
  private CompletableFuture<List<CasqException>> completeChunk(List<CompleteAllBody.Item> items) {
    byte[] body = WireWriter.completeAll(new CompleteAllBody(items));
    int size = items.size();
    return call(
            "POST",
            base + "/jobs/complete",
            body,
            null,
            "complete " + size + " jobs of queue " + name())
        .thenApply(
            reply -> {
              List<CompleteAllReply.Result> results =
                  read(reply, null, ReplyReader::completeAll).results();
              if (results.size() != size) {
                throw new BrokerErrorException(
                    reply.status(),
                    null,
                    "the broker answered a batch completion of "
                        + size
                        + " with "
                        + results.size()
                        + " results");
              }
              List<CasqException> out = new ArrayList<>(size);
              for (int i = 0; i < size; i++) {
                CompleteAllReply.Result r = results.get(i);
                String id = items.get(i).id();
                if (!id.equals(r.id())) {
                  throw new BrokerErrorException(
                      reply.status(),
                      null,
                      "the broker answered job " + r.id() + " where " + id + " was sent");
                }
                if (r.completed()) {
                  out.add(null);
                  continue;
                }
                CasqException e = Errors.of(r.error(), id);
                // a complete that landed removes the job: the retry finds it gone
                out.add(
                    reply.retriedAfterUnknownOutcome() && e instanceof JobNotFoundException
                        ? null
                        : e);
              }
              return out;
            });
  }

  /** Reports a failed attempt; the job is retried with backoff while attempts remain. */
  @Override
  public JobStatus fail(LeasedJob<T> job, String error) {
    return await(failAsync(job, error, true));
  }

  /** Reports a failure that must not be retried: the job goes dead. */
  @Override
  public JobStatus failPermanently(LeasedJob<T> job, String error) {
    return await(failAsync(job, error, false));
  }

  /**
   * Reports a failed attempt. Completes with QUEUED (it will be retried) or DEAD. After a retry
   * that found the first attempt landed, the status is the one that attempt produced: DEAD when
   * {@code retry} is false or the job had no attempts left, QUEUED otherwise.
   */
  @Override
  public CompletableFuture<JobStatus> failAsync(LeasedJob<T> job, String error, boolean retry) {
    String message =
        error == null
            ? null
            : error.length() > WireLimits.MAX_ERROR_CHARS
                ? error.substring(0, WireLimits.MAX_ERROR_CHARS)
                : error;
    byte[] body = WireWriter.fail(new FailBody(job.leaseToken(), message, retry));
    return call(
            "POST",
            jobPath(job.id(), "fail"),
            body,
            null,
            "fail job " + job.id() + " of queue " + name())
        .thenApply(
            reply -> {
              StatusReply n = settleLeaseOp(reply, job.id(), true);
              if (n == null) {
                return retry && job.attempts() < job.maxAttempts()
                    ? JobStatus.QUEUED
                    : JobStatus.DEAD;
              }
              return status(n);
            });
  }

  /** Gives the job back without counting the attempt (e.g. on shutdown). */
  @Override
  public void release(LeasedJob<T> job) {
    await(releaseAsync(job));
  }

  /**
   * Gives a job back without counting the attempt.
   *
   * @param job the leased job
   * @return completes once the release is durable
   */
  @Override
  public CompletableFuture<Void> releaseAsync(LeasedJob<T> job) {
    byte[] body = WireWriter.release(new ReleaseBody(job.leaseToken()));
    return call(
            "POST",
            jobPath(job.id(), "release"),
            body,
            null,
            "release job " + job.id() + " of queue " + name())
        .thenApply(reply -> settleLeaseOp(reply, job.id(), true))
        .thenApply(n -> null);
  }

  /** Cancels a live job (queued or leased). */
  @Override
  public void cancel(String jobId) {
    await(cancelAsync(jobId));
  }

  /**
   * Cancels a job that has not finished.
   *
   * @param jobId the job's id
   * @return completes once the cancellation is durable
   */
  @Override
  public CompletableFuture<Void> cancelAsync(String jobId) {
    return call(
            "POST",
            jobPath(jobId, "cancel"),
            WireWriter.cancel(),
            null,
            "cancel job " + jobId + " of queue " + name())
        .thenApply(reply -> settleLeaseOp(reply, jobId, false))
        .thenApply(n -> null);
  }

  // ------------------------------------------------------------------ reads

  /** The job wherever it is, archived ones included. */
  @Override
  public JobInfo<T> get(String jobId) {
    return await(getAsync(jobId));
  }

  /**
   * The job wherever it is (live, finished, or archived), as the broker finds it.
   *
   * @param jobId the job's id
   * @return the job; fails with {@code JobNotFoundException} when it is unknown
   */
  @Override
  public CompletableFuture<JobInfo<T>> getAsync(String jobId) {
    return call(
            "GET",
            base + "/jobs/" + encode(jobId),
            null,
            null,
            "get job " + jobId + " of queue " + name())
        .thenApply(reply -> info(read(reply, jobId, ReplyReader::job), true));
  }

  private JobInfo<T> info(JobView j, boolean strict) {
    String jobId = j.id();
    JobView.LeaseView lease = j.lease();
    return new JobInfo<>(
        j.id(),
        status(j.status()),
        strict ? fromJson(j.payloadJson(), jobId) : fromJsonOrNull(j.payloadJson()),
        j.payloadJson(),
        j.priority(),
        j.runAt(),
        j.attempts(),
        j.maxAttempts(),
        j.createdAt(),
        j.type(),
        j.key(),
        lease == null ? null : lease.worker(),
        lease == null ? null : lease.expiresAt(),
        j.lastError(),
        j.finishedAt(),
        j.resultJson());
  }

  /** Counts and counters of the queue. */
  @Override
  public QueueStats stats() {
    return await(statsAsync());
  }

  /**
   * A summary of the queue as its broker reports it.
   *
   * @return jobs by state, counters and the broker record
   */
  @Override
  public CompletableFuture<QueueStats> statsAsync() {
    return call("GET", base + "/stats", null, null, "read stats of queue " + name())
        .thenApply(
            reply -> {
              StatsView n = read(reply, null, ReplyReader::stats);
              StatsView.Counters c = n.counters();
              QueueStats.Counters counters =
                  new QueueStats.Counters(
                      c.pushed(),
                      c.claimed(),
                      c.completed(),
                      c.failed(),
                      c.dead(),
                      c.expired(),
                      c.cancelled(),
                      c.archived());
              BrokerView b = n.broker();
              return new QueueStats(
                  n.revision(),
                  n.ready(),
                  n.scheduled(),
                  n.leased(),
                  n.finishedPendingArchive(),
                  counters,
                  b == null
                      ? null
                      : new QueueStats.Broker(
                          b.id(),
                          b.address(),
                          b.epoch(),
                          b.heartbeatAt() == null ? Instant.EPOCH : b.heartbeatAt()),
                  n.updatedAt());
            });
  }

  // ------------------------------------------------------------------ history and dead letters

  /** How long a retry or purge by filter may take beyond the usual request timeout. */
  private static final Duration BULK_TIME = Duration.ofMinutes(5);

  @Override
  public JobPage<T> list(JobFilter filter, String cursor, int limit) {
    JobFilter f = filter == null ? JobFilter.all() : filter;
    if (limit < 1 || limit > WireLimits.MAX_LIST_LIMIT) {
      throw new InvalidRequestException(
          "limit must be from 1 to " + WireLimits.MAX_LIST_LIMIT + ", got " + limit);
    }
    ListQuery q =
        new ListQuery(
            f.status() == null ? null : f.status().name().toLowerCase(java.util.Locale.ROOT),
            f.type(),
            f.createdFrom(),
            f.createdTo(),
            cursor,
            limit);
    JobPageReply page =
        await(
            call("GET", base + "/jobs?" + q.toQueryString(), null, null, "list jobs of " + name())
                .thenApply(reply -> read(reply, null, ReplyReader::jobPage)));
    List<JobInfo<T>> infos = new ArrayList<>(page.jobs().size());
    for (JobView j : page.jobs()) {
      infos.add(info(j, false));
    }
    return new JobPage<>(infos, page.nextCursor());
  }

  @Override
  public void retry(String jobId) {
    await(
        call("POST", jobPath(jobId, "retry"), WireWriter.cancel(), null, "retry job " + jobId)
            .thenApply(reply -> settleDeadOp(reply, jobId, InvalidRequestException.class)));
  }

  @Override
  public int retry(JobFilter filter) {
    return deadByFilter("retry", filter);
  }

  @Override
  public void purge(String jobId) {
    await(
        call("POST", jobPath(jobId, "purge"), WireWriter.cancel(), null, "purge job " + jobId)
            .thenApply(reply -> settleDeadOp(reply, jobId, JobNotFoundException.class)));
  }

  @Override
  public int purge(JobFilter filter) {
    return deadByFilter("purge", filter);
  }

  private int deadByFilter(String action, JobFilter filter) {
    JobFilter f = filter == null ? JobFilter.dead() : filter;
    if (f.status() != null && f.status() != JobStatus.DEAD) {
      throw new InvalidRequestException(
          "only dead jobs can be retried or purged; the filter asks for status "
              + f.status().name().toLowerCase(java.util.Locale.ROOT));
    }
    byte[] body =
        WireWriter.deadFilter(new DeadFilterBody(f.type(), f.createdFrom(), f.createdTo()));
    return await(
        call("POST", base + "/dead/" + action, body, BULK_TIME, action + " dead jobs of " + name())
            .thenApply(reply -> read(reply, null, ReplyReader::count).count()));
  }

  /**
   * Settles a retry or purge of one job: when a first attempt of unknown outcome may have landed,
   * the answer that says so ({@code landedMeans}: the job is no longer dead, or no longer there) is
   * taken as success.
   */
  private static Void settleDeadOp(
      BrokerConnection.Reply reply, String jobId, Class<? extends CasqException> landedMeans) {
    if (reply.ok()) {
      return null;
    }
    CasqException e = Errors.of(reply.status(), reply.body(), jobId);
    if (reply.retriedAfterUnknownOutcome() && landedMeans.isInstance(e)) {
      return null;
    }
    throw e;
  }

  private T fromJsonOrNull(String json) {
    try {
      return json == null ? null : config.objectMapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ workers

  @Override
  public ClientWorker<T> worker(JobHandler<T> handler, WorkerOptions options) {
    return new ClientWorker<>(this, handler, options);
  }

  @Override
  public ClientWorker<JsonNode> worker(JobHandlers handlers, WorkerOptions options) {
    WorkerOptions o = handlers.claimOptions(options);
    ClientQueue<JsonNode> raw =
        new ClientQueue<>(
            client, config, connection, config.objectMapper().constructType(JsonNode.class));
    return new ClientWorker<>(
        raw,
        handlers.dispatcher(
            new JobHandlers.PayloadConverter() {
              @Override
              public <P> P convert(String json, Class<P> to) {
                try {
                  return config.objectMapper().readValue(json, to);
                } catch (JsonProcessingException e) {
                  throw new InvalidRequestException(e.getOriginalMessage());
                }
              }
            }),
        o);
  }

  /** Closes the client this queue was opened from ({@link CasqClient#close()}). */
  @Override
  public void close() {
    client.close();
  }

  // ------------------------------------------------------------------ helpers

  private CompletableFuture<BrokerConnection.Reply> call(
      String method, String path, byte[] body, Duration extraTimeout, String what) {
    try {
      return connection.send(new BrokerConnection.Request(method, path, body, extraTimeout, what));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Settles complete / fail / release / cancel: the parsed body on success; null when the job is
   * gone or no longer leased with this token after an attempt whose outcome was unknown (the first
   * attempt landed); the mapped error otherwise.
   */
  private static StatusReply settleLeaseOp(
      BrokerConnection.Reply reply, String jobId, boolean leaseRejectedMeansDone) {
    if (reply.ok()) {
      return parse(reply, ReplyReader::status);
    }
    CasqException e = Errors.of(reply.status(), reply.body(), jobId);
    if (reply.retriedAfterUnknownOutcome()
        && (e instanceof JobNotFoundException
            || (leaseRejectedMeansDone && e instanceof LeaseRejectedException))) {
      return null;
    }
    throw e;
  }

  private static JobStatus status(StatusReply n) {
    return status(n.status());
  }

  private static JobStatus status(String s) {
    try {
      return JobStatus.valueOf(s.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new BrokerErrorException(
          200, null, "the broker reported an unknown job status '" + s + "'");
    }
  }

  /** The record of a successful reply; the mapped error of any other. */
  private static <R> R read(
      BrokerConnection.Reply reply, String jobId, Function<byte[], R> reader) {
    if (!reply.ok()) {
      throw Errors.of(reply.status(), reply.body(), jobId);
    }
    return parse(reply, reader);
  }

  /** A reply read by {@code reader}; one that breaks the wire format is a broker error. */
  private static <R> R parse(BrokerConnection.Reply reply, Function<byte[], R> reader) {
    try {
      return reader.apply(reply.body());
    } catch (MalformedReplyException e) {
      throw new BrokerErrorException(reply.status(), null, e.getMessage());
    }
  }

  private String jobPath(String jobId, String action) {
    if (jobId == null || jobId.isBlank()) {
      throw new InvalidRequestException("job id must not be empty");
    }
    return base + "/jobs/" + encode(jobId) + "/" + action;
  }

  private String toJson(Object value) {
    try {
      return config.objectMapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("cannot convert to JSON: " + e.getOriginalMessage());
    }
  }

  private T fromJson(String json, String jobId) {
    if (json == null) {
      return null;
    }
    try {
      return config.objectMapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "payload of job "
              + jobId
              + " does not convert to "
              + type
              + ": "
              + e.getOriginalMessage());
    }
  }

  private static final com.fasterxml.jackson.core.JsonFactory PAYLOAD_CHECK =
      new com.fasterxml.jackson.core.JsonFactory();

  /** Rejects text that is not exactly one JSON value. */
  static void validateJson(String json) {
    try (com.fasterxml.jackson.core.JsonParser p = PAYLOAD_CHECK.createParser(json)) {
      if (p.nextToken() == null) {
        throw new InvalidRequestException("payload must be a JSON value, got nothing");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw new InvalidRequestException("payload must be one JSON value; found more after it");
      }
    } catch (IOException e) {
      throw new InvalidRequestException("payload is not valid JSON: " + e.getMessage());
    }
  }

  private static CasqException invalidPayload(RuntimeException e) {
    return e instanceof CasqException ce
        ? ce
        : new InvalidRequestException("cannot encode the request: " + e.getMessage());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Waits for a future and rethrows its casq exception as is. */
  static <R> R await(CompletableFuture<R> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueClosedException("interrupted while waiting for the broker");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      while (c instanceof CompletionException && c.getCause() != null) {
        c = c.getCause();
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new CompletionException(c);
    }
  }

  // ------------------------------------------------------------------ recurring schedules

  @Override
  public dev.casq.api.ScheduleInfo putSchedule(dev.casq.api.Schedule schedule) {
    return await(putScheduleAsync(schedule));
  }

  @Override
  public CompletableFuture<dev.casq.api.ScheduleInfo> putScheduleAsync(
      dev.casq.api.Schedule schedule) {
    byte[] body;
    try {
      body = dev.casq.wire.ScheduleWire.body(schedule);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new InvalidRequestException("the payload is not one JSON value: " + e.getMessage()));
    }
    return call(
            "PUT",
            schedulePath(schedule.name()),
            body,
            null,
            "put schedule " + schedule.name() + " of queue " + name())
        .thenApply(reply -> read(reply, null, dev.casq.wire.ScheduleWire::readView));
  }

  @Override
  public boolean deleteSchedule(String scheduleName) {
    return await(deleteScheduleAsync(scheduleName));
  }

  @Override
  public CompletableFuture<Boolean> deleteScheduleAsync(String scheduleName) {
    try {
      String path = schedulePath(scheduleName);
      return call(
              "DELETE", path, null, null, "delete schedule " + scheduleName + " of queue " + name())
          .thenApply(reply -> read(reply, null, dev.casq.wire.ScheduleWire::readDeleted));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public List<dev.casq.api.ScheduleInfo> schedules() {
    return await(schedulesAsync());
  }

  @Override
  public CompletableFuture<List<dev.casq.api.ScheduleInfo>> schedulesAsync() {
    return call("GET", base + "/schedules", null, null, "list schedules of queue " + name())
        .thenApply(reply -> read(reply, null, dev.casq.wire.ScheduleWire::readList));
  }

  private String schedulePath(String scheduleName) {
    if (scheduleName == null || scheduleName.isBlank()) {
      throw new InvalidRequestException("schedule name must not be empty");
    }
    return base + "/schedules/" + encode(scheduleName);
  }
}
