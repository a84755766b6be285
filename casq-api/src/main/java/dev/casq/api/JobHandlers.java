package dev.casq.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Handlers by job type, each with its own payload class, so that one queue carries several kinds of
 * jobs (pushed with {@link PushOptions#type(String)}). Immutable: {@link #on} returns a copy.
 *
 * <pre>{@code
 * JobHandlers handlers = JobHandlers.create()
 *     .on("email", Email.class, job -> mailer.send(job.payload()))
 *     .on("sms", Sms.class, job -> sms.send(job.payload()));
 * try (Worker worker = queue.worker(handlers, WorkerOptions.of("worker-1", 4))) { ... }
 * }</pre>
 *
 * <p>A worker started with handlers claims only jobs of the registered types: jobs of any other
 * type, and jobs pushed without a type, stay queued for a worker that handles them. A job whose
 * payload does not convert to its type's payload class fails permanently (it never would), with an
 * error that names the class.
 */
public final class JobHandlers {
  private final Map<String, Registration<?>> byType;

  private JobHandlers(Map<String, Registration<?>> byType) {
    this.byType = byType;
  }

  /**
   * No handlers yet; add them with {@link #on}.
   *
   * @return the empty registry
   */
  public static JobHandlers create() {
    return new JobHandlers(Map.of());
  }

  /**
   * The registry with a handler for jobs of {@code type}.
   *
   * @param type the job type, as pushed with {@link PushOptions#type(String)}
   * @param payloadType the class each payload of this type is converted to
   * @param handler runs each job of this type
   * @param <P> the payload type
   * @return a copy with the handler added
   * @throws IllegalArgumentException when the type is blank or already has a handler
   * @throws NullPointerException when an argument is null
   */
  public <P> JobHandlers on(String type, Class<P> payloadType, JobHandler<P> handler) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(handler, "handler");
    if (type.isBlank()) {
      throw new IllegalArgumentException("a job type must not be blank");
    }
    if (byType.containsKey(type)) {
      throw new IllegalArgumentException("job type '" + type + "' already has a handler");
    }
    Map<String, Registration<?>> copy = new LinkedHashMap<>(byType);
    copy.put(type, new Registration<>(type, payloadType, handler));
    return new JobHandlers(java.util.Collections.unmodifiableMap(copy));
  }

  /**
   * The registered types: what a worker started with these handlers claims.
   *
   * @return the types, in registration order
   */
  public Set<String> types() {
    return byType.keySet();
  }

  /**
   * The registration for {@code type}.
   *
   * @param type a job type, or null
   * @return the registration; empty when the type has no handler
   */
  public Optional<Registration<?>> forType(String type) {
    return type == null ? Optional.empty() : Optional.ofNullable(byType.get(type));
  }

  /**
   * The options a worker started with these handlers claims with: {@code options} with the
   * registered types.
   *
   * @param options the worker's options; their types must be empty or the registered ones
   * @return the options with the registered types
   * @throws IllegalArgumentException when no handler is registered, or the options name other types
   */
  public WorkerOptions claimOptions(WorkerOptions options) {
    Objects.requireNonNull(options, "options");
    if (byType.isEmpty()) {
      throw new IllegalArgumentException("no job handler registered: add one with on(type, ...)");
    }
    if (!options.types().isEmpty() && !options.types().equals(byType.keySet())) {
      throw new IllegalArgumentException(
          "the worker options name types "
              + options.types()
              + " but the handlers are for "
              + byType.keySet()
              + "; leave the options' types empty");
    }
    return options.withTypes(byType.keySet());
  }

  /**
   * One handler that runs each job with its type's handler: for implementations of {@link
   * Queue#worker(JobHandlers, WorkerOptions)}, which claim the registered types with a queue whose
   * payloads are left as they are and run this handler on each. A job of a type without a handler
   * (a worker that claims only {@link #types()} gets none), and a job whose payload does not
   * convert to its type's class, fail permanently with an error that says why.
   *
   * @param converter converts a payload's JSON text to a registered class
   * @param <R> the payload type of the queue the worker claims from (unused)
   * @return the dispatching handler
   */
  public <R> JobHandler<R> dispatcher(PayloadConverter converter) {
    Objects.requireNonNull(converter, "converter");
    return job -> dispatch(job, converter);
  }

  private <R> void dispatch(LeasedJob<R> job, PayloadConverter converter) throws Exception {
    Registration<?> r =
        forType(job.type())
            .orElseThrow(
                () ->
                    new JobFailure(
                        "no handler for job type "
                            + (job.type() == null ? "(none)" : "'" + job.type() + "'")
                            + "; this worker handles "
                            + byType.keySet(),
                        false));
    run(r, job, converter);
  }

  private static <P, R> void run(Registration<P> r, LeasedJob<R> job, PayloadConverter converter)
      throws Exception {
    P payload;
    try {
      payload = converter.convert(job.payloadJson(), r.payloadType());
    } catch (RuntimeException e) {
      throw new JobFailure(
          "payload of job "
              + job.id()
              + " (type '"
              + job.type()
              + "') does not convert to "
              + r.payloadType().getName()
              + ": "
              + e.getMessage(),
          false);
    }
    r.handler()
        .handle(
            new LeasedJob<>(
                job.id(),
                payload,
                job.payloadJson(),
                job.leaseToken(),
                job.leaseExpiresAt(),
                job.attempts(),
                job.maxAttempts(),
                job.type(),
                job.priority(),
                job.cancellation()));
  }

  /** Converts a payload's JSON text to a class (how an implementation reads payloads). */
  @FunctionalInterface
  public interface PayloadConverter {
    /**
     * Converts {@code json} to {@code type}.
     *
     * @param json the payload as JSON text
     * @param type the class to convert to
     * @param <P> the class
     * @return the payload
     * @throws RuntimeException when the JSON does not convert
     */
    <P> P convert(String json, Class<P> type);
  }

  /**
   * One type's handler and payload class.
   *
   * @param type the job type
   * @param payloadType the class payloads of this type are converted to
   * @param handler the handler
   * @param <P> the payload type
   */
  public record Registration<P>(String type, Class<P> payloadType, JobHandler<P> handler) {}

  @Override
  public String toString() {
    return "JobHandlers" + byType.keySet();
  }
}
