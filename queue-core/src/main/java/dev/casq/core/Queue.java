package dev.casq.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A typed queue: payloads of type {@code T} converted with Jackson. Blocking methods wait for the
 * commit; the {@code ...Async} variants return futures. Obtain one with {@link Casq#open}.
 */
public final class Queue<T> implements AutoCloseable {
  private final JobQueue jobs;
  private final ObjectMapper mapper;
  private final JavaType type;

  Queue(JobQueue jobs, ObjectMapper mapper, JavaType type) {
    this.jobs = jobs;
    this.mapper = mapper;
    this.type = type;
  }

  /**
   * The untyped queue underneath.
   *
   * @return the asynchronous queue of JSON payloads this queue converts for
   */
  public JobQueue jobs() {
    return jobs;
  }

  /**
   * Pushes a job and returns its id once it is durable.
   *
   * @param payload the job's payload, converted to JSON
   * @return the new job's id
   */
  public String push(T payload) {
    return await(pushAsync(payload)).jobId();
  }

  /**
   * Pushes with options (key, priority, delay, type, attempts) once it is durable.
   *
   * @param payload the job's payload, converted to JSON
   * @param options the push's options; {@link PushOptions#none()} for none
   * @return the job's id, and whether an earlier push with the same key created it
   */
  public PushResult push(T payload, PushOptions options) {
    return await(pushAsync(payload, options));
  }

  /**
   * Pushes a job; the future completes once it is durable.
   *
   * @param payload the job's payload, converted to JSON
   * @return the job's id and duplicate flag
   */
  public CompletableFuture<PushResult> pushAsync(T payload) {
    return pushAsync(payload, PushOptions.none());
  }

  /**
   * Pushes with options; the future completes once the job is durable.
   *
   * @param payload the job's payload, converted to JSON
   * @param options the push's options
   * @return the job's id and duplicate flag
   */
  public CompletableFuture<PushResult> pushAsync(T payload, PushOptions options) {
    String json;
    try {
      json = toJson(payload);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return jobs.push(options.apply(PushRequest.of(json)));
  }

  /**
   * Claims one ready job for {@code worker}, if there is one now.
   *
   * @param worker the worker id recorded in the lease
   * @return the claimed job, or empty when none is ready
   */
  public Optional<ClaimedJob<T>> claim(String worker) {
    return await(claimAsync(worker));
  }

  /**
   * Claims one ready job for {@code worker}, if there is one now.
   *
   * @param worker the worker id recorded in the lease
   * @return the claimed job, or empty when none is ready
   */
  public CompletableFuture<Optional<ClaimedJob<T>>> claimAsync(String worker) {
    return claimAsync(new ClaimRequest(worker, null, 1, null), Duration.ZERO)
        .thenApply(got -> got.isEmpty() ? Optional.empty() : Optional.of(got.get(0)));
  }

  /**
   * Claims up to {@code request.limit()} jobs, waiting up to {@code wait} for one.
   *
   * @param request worker, lease, limit and types
   * @param wait how long to wait for a job when none is ready (long poll)
   * @return the claimed jobs, empty when none became ready in time
   */
  public List<ClaimedJob<T>> claim(ClaimRequest request, Duration wait) {
    return await(claimAsync(request, wait));
  }

  /**
   * Claims up to {@code request.limit()} jobs, waiting up to {@code wait} for one.
   *
   * @param request worker, lease, limit and types
   * @param wait how long to wait for a job when none is ready (long poll)
   * @return the claimed jobs, empty when none became ready in time
   */
  public CompletableFuture<List<ClaimedJob<T>>> claimAsync(ClaimRequest request, Duration wait) {
    return jobs.claim(request, wait)
        .thenApply(
            list -> {
              List<ClaimedJob<T>> out = new ArrayList<>(list.size());
              for (Job j : list) {
                out.add(typed(j));
              }
              return out;
            });
  }

  /**
   * Extends the lease by the queue's default lease.
   *
   * @param job a job this worker holds
   * @return the extended lease
   */
  public Lease heartbeat(ClaimedJob<T> job) {
    return await(heartbeatAsync(job, null));
  }

  /**
   * Extends the lease by {@code extendBy}.
   *
   * @param job a job this worker holds
   * @param extendBy the new lease, from now; null for the queue's default lease
   * @return the extended lease
   */
  public Lease heartbeat(ClaimedJob<T> job, Duration extendBy) {
    return await(heartbeatAsync(job, extendBy));
  }

  /**
   * Extends the lease by {@code extendBy}.
   *
   * @param job a job this worker holds
   * @param extendBy the new lease, from now; null for the queue's default lease
   * @return the extended lease
   */
  public CompletableFuture<Lease> heartbeatAsync(ClaimedJob<T> job, Duration extendBy) {
    return jobs.heartbeat(job.id(), job.leaseToken(), extendBy);
  }

  /**
   * Completes the job once the completion is durable.
   *
   * @param job a job this worker holds
   */
  public void complete(ClaimedJob<T> job) {
    await(completeAsync(job));
  }

  /**
   * Completes with a result object that is kept with the archived job.
   *
   * @param job a job this worker holds
   * @param result converted to JSON; null for none
   */
  public void complete(ClaimedJob<T> job, Object result) {
    await(completeAsync(job, result));
  }

  /**
   * Completes the job.
   *
   * @param job a job this worker holds
   * @return completes once the completion is durable
   */
  public CompletableFuture<Void> completeAsync(ClaimedJob<T> job) {
    return completeAsync(job, null);
  }

  /**
   * Completes with a result object that is kept with the archived job.
   *
   * @param job a job this worker holds
   * @param result converted to JSON; null for none
   * @return completes once the completion is durable
   */
  public CompletableFuture<Void> completeAsync(ClaimedJob<T> job, Object result) {
    String json;
    try {
      json = result == null ? null : toJson(result);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return jobs.complete(job.id(), job.leaseToken(), json).thenApply(j -> null);
  }

  /**
   * Reports a failure; the job is retried with backoff while attempts remain.
   *
   * @param job a job this worker holds
   * @param error what went wrong, kept with the job
   * @return the job's status now: {@code QUEUED} (retried later) or {@code DEAD}
   */
  public JobStatus fail(ClaimedJob<T> job, String error) {
    return await(failAsync(job, error));
  }

  /**
   * Reports a failure that must not be retried: the job goes dead.
   *
   * @param job a job this worker holds
   * @param error what went wrong, kept with the job
   * @return {@code DEAD}
   */
  public JobStatus failPermanently(ClaimedJob<T> job, String error) {
    return await(failPermanentlyAsync(job, error));
  }

  /**
   * Reports a failure; the job is retried with backoff while attempts remain.
   *
   * @param job a job this worker holds
   * @param error what went wrong, kept with the job
   * @return the job's status once the failure is durable
   */
  public CompletableFuture<JobStatus> failAsync(ClaimedJob<T> job, String error) {
    return jobs.fail(job.id(), job.leaseToken(), error, true);
  }

  /**
   * Reports a failure that must not be retried: the job goes dead.
   *
   * @param job a job this worker holds
   * @param error what went wrong, kept with the job
   * @return the job's status once the failure is durable
   */
  public CompletableFuture<JobStatus> failPermanentlyAsync(ClaimedJob<T> job, String error) {
    return jobs.fail(job.id(), job.leaseToken(), error, false);
  }

  /**
   * Gives the job back without counting the attempt.
   *
   * @param job a job this worker holds
   */
  public void release(ClaimedJob<T> job) {
    await(releaseAsync(job));
  }

  /**
   * Gives the job back without counting the attempt.
   *
   * @param job a job this worker holds
   * @return completes once the release is durable
   */
  public CompletableFuture<Void> releaseAsync(ClaimedJob<T> job) {
    return jobs.release(job.id(), job.leaseToken());
  }

  /**
   * Cancels a job that has not finished.
   *
   * @param jobId the job's id
   */
  public void cancel(String jobId) {
    await(cancelAsync(jobId));
  }

  /**
   * Cancels a job that has not finished.
   *
   * @param jobId the job's id
   * @return completes once the cancellation is durable
   */
  public CompletableFuture<Void> cancelAsync(String jobId) {
    return jobs.cancel(jobId).thenApply(j -> null);
  }

  /**
   * A summary of the queue now.
   *
   * @return jobs by state and the counters since the queue was created
   */
  public QueueStats stats() {
    return await(statsAsync());
  }

  /**
   * A summary of the queue now.
   *
   * @return jobs by state and the counters since the queue was created
   */
  public CompletableFuture<QueueStats> statsAsync() {
    return jobs.stats();
  }

  /**
   * Starts a worker that claims jobs and runs {@code handler} on each, with automatic heartbeats.
   * The worker runs on its own threads until it is closed.
   *
   * @param handler runs once per claimed job: returning completes the job, throwing fails the
   *     attempt
   * @param options worker id, concurrency, lease, poll wait, shutdown grace
   * @return the running worker; close it to stop
   */
  public Worker<T> worker(JobHandler<T> handler, WorkerOptions options) {
    return new Worker<>(this, handler, options);
  }

  /** Closes the queue: stops its engine and releases the store. */
  @Override
  public void close() {
    jobs.close();
  }

  ClaimedJob<T> typed(Job j) {
    try {
      T payload = mapper.readValue(j.payloadJson(), type);
      return new ClaimedJob<>(j.id(), payload, j.lease().token(), j.lease().expiresAt(),
          j.attempts(), j);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "payload of job " + j.id() + " does not convert to " + type + ": "
              + e.getOriginalMessage());
    }
  }

  private String toJson(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("cannot convert payload to JSON: " + e.getOriginalMessage());
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
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new CompletionException(c);
    }
  }
}
