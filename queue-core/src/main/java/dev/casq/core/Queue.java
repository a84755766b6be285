package dev.casq.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.api.QueueClosedException;
import dev.casq.api.RequestFailedException;
import dev.casq.api.WorkerOptions;
import dev.casq.core.internal.EmbeddedQueues;
import dev.casq.core.internal.HistoryFilter;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobHistory;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.JobStatus;
import dev.casq.core.internal.Lease;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.QueueStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The embedded queue: the {@link dev.casq.api.Queue} whose engine runs in this process and commits
 * to the store itself. Payloads of type {@code T} are converted with Jackson. Blocking methods wait
 * for the commit; the {@code ...Async} variants return futures. Obtain one with {@link Casq#open}.
 *
 * @param <T> the payload type
 */
public final class Queue<T> implements dev.casq.api.Queue<T> {
  private final JobQueue jobs;
  private final ObjectMapper mapper;
  private final JavaType type;

  Queue(JobQueue jobs, ObjectMapper mapper, JavaType type) {
    this.jobs = jobs;
    this.mapper = mapper;
    this.type = type;
  }

  static {
    EmbeddedQueues.register(q -> q.jobs);
  }

  /** The untyped queue underneath (for casq's own modules: {@link EmbeddedQueues#jobs}). */
  JobQueue jobs() {
    return jobs;
  }

  @Override
  public PushResult push(T payload, PushOptions options) {
    return await(pushAsync(payload, options));
  }

  @Override
  public CompletableFuture<PushResult> pushAsync(T payload, PushOptions options) {
    String json;
    try {
      json = toJson(payload);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return jobs.push(request(json, options == null ? PushOptions.none() : options));
  }

  @Override
  public List<PushResult> pushAll(List<? extends T> payloads, PushOptions options) {
    return await(pushAllAsync(payloads, options));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The jobs are committed by the engine's group commit, many per write; each is accepted or
   * refused on its own.
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
    List<PushRequest> requests = new ArrayList<>(payloads.size());
    try {
      for (T p : payloads) {
        requests.add(request(toJson(p), o.key(UUID.randomUUID().toString())));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (requests.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<CompletableFuture<PushResult>> each = jobs.pushAll(requests);
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .handle((v, ignored) -> collect(each));
  }

  private static List<PushResult> collect(List<CompletableFuture<PushResult>> each) {
    List<PushResult> results = new ArrayList<>(each.size());
    Map<Integer, CasqException> errors = new HashMap<>();
    for (int i = 0; i < each.size(); i++) {
      try {
        results.add(each.get(i).join());
      } catch (CompletionException e) {
        results.add(null);
        Throwable c = e.getCause() == null ? e : e.getCause();
        errors.put(
            i,
            c instanceof CasqException ce
                ? ce
                : new RequestFailedException("push #" + i + " failed: " + c, c));
      }
    }
    if (!errors.isEmpty()) {
      throw new BatchPushException(results, errors);
    }
    return results;
  }

  @Override
  public List<LeasedJob<T>> claim(ClaimRequest request, Duration wait) {
    return await(claimAsync(request, wait));
  }

  @Override
  public CompletableFuture<List<LeasedJob<T>>> claimAsync(ClaimRequest request, Duration wait) {
    return jobs.claim(request, wait == null ? Duration.ZERO : wait)
        .thenApply(
            list -> {
              List<LeasedJob<T>> out = new ArrayList<>(list.size());
              for (Job j : list) {
                out.add(leased(j));
              }
              return out;
            });
  }

  @Override
  public Instant heartbeat(LeasedJob<T> job, Duration extendBy) {
    return await(heartbeatAsync(job, extendBy));
  }

  @Override
  public CompletableFuture<Instant> heartbeatAsync(LeasedJob<T> job, Duration extendBy) {
    return jobs.heartbeat(job.id(), job.leaseToken(), extendBy).thenApply(Lease::expiresAt);
  }

  @Override
  public void complete(LeasedJob<T> job, Object result) {
    await(completeAsync(job, result));
  }

  @Override
  public CompletableFuture<Void> completeAsync(LeasedJob<T> job, Object result) {
    String json;
    try {
      json = result == null ? null : toJson(result);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return jobs.complete(job.id(), job.leaseToken(), json).thenApply(j -> null);
  }

  @Override
  public void completeAll(List<? extends LeasedJob<T>> batch) {
    await(completeAllAsync(batch));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The completions are submitted to the engine together, so they share one write.
   */
  @Override
  public CompletableFuture<Void> completeAllAsync(List<? extends LeasedJob<T>> batch) {
    if (batch.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<JobQueue.Completion> completions = new ArrayList<>(batch.size());
    for (LeasedJob<T> job : batch) {
      completions.add(new JobQueue.Completion(job.id(), job.leaseToken(), null));
    }
    List<CompletableFuture<Job>> each;
    try {
      each = jobs.completeAll(completions);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .handle((v, ignored) -> settleAll(each));
  }

  /**
   * Nothing when every job was completed; the refusals as a {@link BatchCompleteException}; any
   * other failure (closed, storage, outcome unknown) as itself, since then the batch's outcome is
   * not known job by job.
   */
  private static Void settleAll(List<CompletableFuture<Job>> each) {
    Map<Integer, CasqException> refused = new HashMap<>();
    for (int i = 0; i < each.size(); i++) {
      try {
        each.get(i).join();
      } catch (CompletionException e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        if (c instanceof JobNotFoundException
            || c instanceof LeaseRejectedException
            || c instanceof InvalidRequestException) {
          refused.put(i, (CasqException) c);
        } else if (c instanceof RuntimeException re) {
          throw re;
        } else {
          throw new RequestFailedException("completion #" + i + " failed: " + c, c);
        }
      }
    }
    if (!refused.isEmpty()) {
      throw new BatchCompleteException(each.size(), refused);
    }
    return null;
  }

  @Override
  public dev.casq.api.JobStatus fail(LeasedJob<T> job, String error) {
    return await(failAsync(job, error, true));
  }

  @Override
  public dev.casq.api.JobStatus failPermanently(LeasedJob<T> job, String error) {
    return await(failAsync(job, error, false));
  }

  @Override
  public CompletableFuture<dev.casq.api.JobStatus> failAsync(
      LeasedJob<T> job, String error, boolean retry) {
    return jobs.fail(job.id(), job.leaseToken(), error, retry).thenApply(Queue::status);
  }

  @Override
  public void release(LeasedJob<T> job) {
    await(releaseAsync(job));
  }

  @Override
  public CompletableFuture<Void> releaseAsync(LeasedJob<T> job) {
    return jobs.release(job.id(), job.leaseToken());
  }

  @Override
  public void cancel(String jobId) {
    await(cancelAsync(jobId));
  }

  @Override
  public CompletableFuture<Void> cancelAsync(String jobId) {
    return jobs.cancel(jobId).thenApply(j -> null);
  }

  @Override
  public JobInfo<T> get(String jobId) {
    return await(getAsync(jobId));
  }

  @Override
  public CompletableFuture<JobInfo<T>> getAsync(String jobId) {
    return jobs.get(jobId).thenApply(this::info);
  }

  @Override
  public dev.casq.api.QueueStats stats() {
    return await(statsAsync());
  }

  @Override
  public CompletableFuture<dev.casq.api.QueueStats> statsAsync() {
    return jobs.stats().thenApply(QueueStats::toApi);
  }

  // ------------------------------------------------------------------ history and dead letters

  @Override
  public JobPage<T> list(JobFilter filter, String cursor, int limit) {
    JobHistory.Page page = await(jobs.history().list(filter(filter), cursor, limit));
    List<JobInfo<T>> infos = new ArrayList<>(page.jobs().size());
    for (Job j : page.jobs()) {
      infos.add(info(j, false));
    }
    return new JobPage<>(infos, page.nextCursor());
  }

  @Override
  public void retry(String jobId) {
    await(jobs.history().retry(jobId));
  }

  @Override
  public int retry(JobFilter filter) {
    return await(jobs.history().retryAll(filter(filter)));
  }

  @Override
  public void purge(String jobId) {
    await(jobs.history().purge(jobId));
  }

  @Override
  public int purge(JobFilter filter) {
    return await(jobs.history().purgeAll(filter(filter)));
  }

  /** The engine's filter for an API filter (null takes every job). */
  private static HistoryFilter filter(JobFilter f) {
    if (f == null) {
      return new HistoryFilter(null, null, null, null);
    }
    return new HistoryFilter(
        f.status() == null ? null : JobStatus.valueOf(f.status().name()),
        f.type(),
        f.createdFrom(),
        f.createdTo());
  }

  @Override
  public Worker<T> worker(JobHandler<T> handler, WorkerOptions options) {
    return new Worker<>(this, handler, options);
  }

  @Override
  public Worker<JsonNode> worker(JobHandlers handlers, WorkerOptions options) {
    WorkerOptions o = handlers.claimOptions(options);
    Queue<JsonNode> raw = new Queue<>(jobs, mapper, mapper.constructType(JsonNode.class));
    return new Worker<>(
        raw,
        handlers.dispatcher(
            new JobHandlers.PayloadConverter() {
              @Override
              public <P> P convert(String json, Class<P> to) {
                try {
                  return mapper.readValue(json, to);
                } catch (JsonProcessingException e) {
                  throw new InvalidRequestException(e.getOriginalMessage());
                }
              }
            }),
        o);
  }

  /** Closes the queue: stops its engine and releases the store. */
  @Override
  public void close() {
    jobs.close();
  }

  LeasedJob<T> leased(Job j) {
    return new LeasedJob<>(
        j.id(),
        payload(j),
        j.payloadJson(),
        j.lease().token(),
        j.lease().expiresAt(),
        j.attempts(),
        j.maxAttempts(),
        j.type(),
        j.priority());
  }

  private JobInfo<T> info(Job j) {
    return info(j, true);
  }

  /**
   * The job as the API reports it; with {@code strict} false a payload that does not convert to the
   * queue's type is reported as null (its JSON is still there), so one such job in a list does not
   * hide the others.
   */
  private JobInfo<T> info(Job j, boolean strict) {
    Lease lease = j.lease();
    return new JobInfo<>(
        j.id(),
        status(j.status()),
        strict ? payload(j) : payloadOrNull(j),
        j.payloadJson(),
        j.priority(),
        j.runAt(),
        j.attempts(),
        j.maxAttempts(),
        j.createdAt(),
        j.type(),
        j.idempotencyKey(),
        lease == null ? null : lease.worker(),
        lease == null ? null : lease.expiresAt(),
        j.lastError(),
        j.finishedAt(),
        j.resultJson());
  }

  private T payload(Job j) {
    try {
      return mapper.readValue(j.payloadJson(), type);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "payload of job "
              + j.id()
              + " does not convert to "
              + type
              + ": "
              + e.getOriginalMessage());
    }
  }

  private T payloadOrNull(Job j) {
    try {
      return mapper.readValue(j.payloadJson(), type);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  static dev.casq.api.JobStatus status(JobStatus s) {
    return dev.casq.api.JobStatus.valueOf(s.name());
  }

  private static PushRequest request(String json, PushOptions o) {
    return new PushRequest(
        json, o.type(), o.priority(), o.runAt(), o.delay(), o.maxAttempts(), o.idempotencyKey());
  }

  private String toJson(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "cannot convert payload to JSON: " + e.getOriginalMessage());
    }
  }

  static <R> R await(CompletableFuture<R> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueClosedException("interrupted while waiting for the queue");
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

  /**
   * Creates or replaces a recurring schedule: the queue pushes a job each time it fires. Putting
   * the schedule the queue already holds changes nothing, so an application may put its schedules
   * at every start.
   *
   * @param schedule the schedule
   * @return the schedule as the queue holds it, with its next fire time
   * @throws dev.casq.api.InvalidRequestException for a bad cron expression or too many schedules
   * @throws dev.casq.api.PayloadTooLargeException for a payload over the limit
   */
  @Override
  public dev.casq.api.ScheduleInfo putSchedule(dev.casq.api.Schedule schedule) {
    return await(putScheduleAsync(schedule));
  }

  /**
   * The asynchronous form of {@link #putSchedule}.
   *
   * @param schedule the schedule
   * @return the schedule as the queue holds it
   */
  @Override
  public CompletableFuture<dev.casq.api.ScheduleInfo> putScheduleAsync(
      dev.casq.api.Schedule schedule) {
    return jobs.putSchedule(schedule);
  }

  /**
   * Deletes a recurring schedule; jobs it already pushed stay.
   *
   * @param name the schedule's name
   * @return false when the queue holds no schedule of that name
   */
  @Override
  public boolean deleteSchedule(String name) {
    return await(deleteScheduleAsync(name));
  }

  /**
   * The asynchronous form of {@link #deleteSchedule}.
   *
   * @param name the schedule's name
   * @return false when the queue holds no schedule of that name
   */
  @Override
  public CompletableFuture<Boolean> deleteScheduleAsync(String name) {
    return jobs.deleteSchedule(name);
  }

  /**
   * The queue's recurring schedules, by name.
   *
   * @return the schedules with their next fire times
   */
  @Override
  public List<dev.casq.api.ScheduleInfo> schedules() {
    return await(schedulesAsync());
  }

  /**
   * The asynchronous form of {@link #schedules}.
   *
   * @return the schedules
   */
  @Override
  public CompletableFuture<List<dev.casq.api.ScheduleInfo>> schedulesAsync() {
    return jobs.schedules();
  }
}
