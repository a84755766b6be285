package dev.casq.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.casq.api.IdempotencyBudgetException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.QueueFullException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Configuration of an embedded queue. Built with {@link #builder()}; every value is validated when
 * {@link Builder#build()} runs. Defaults are listed in the README ("Configuration").
 */
public final class QueueOptions {
  private final QueuePolicy policy;
  private final EngineOptions engineOptions;
  private final Map<String, String> storeProperties;
  private final ObjectMapper objectMapper;

  private QueueOptions(Builder b) {
    this.policy =
        new QueuePolicy(
            b.defaultLease,
            b.maxLease,
            b.maxAttempts,
            b.backoffBase,
            b.backoffMax,
            b.idempotencyRetention,
            b.idempotencyMemoryBudget,
            b.maxPayloadBytes);
    this.engineOptions =
        new EngineOptions(
            b.minCommitInterval,
            b.maxBatchSize,
            b.maxConflictRetries,
            b.archiveBatchSize,
            b.archiveMaxDelay,
            b.clock,
            b.tokens,
            b.maxObjectBytes,
            b.headMaxReadyJobs,
            b.headMaxBytes);
    this.storeProperties = Map.copyOf(b.storeProperties);
    this.objectMapper = b.objectMapper;
  }

  /**
   * The options with every default.
   *
   * @return the default options
   */
  public static QueueOptions defaults() {
    return builder().build();
  }

  /**
   * A builder that starts from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The rules of the state machine: leases, attempts, back-off, idempotency and payload bounds.
   *
   * @return the policy
   */
  public QueuePolicy policy() {
    return policy;
  }

  /**
   * How the commit engine writes: batching, conflict retries, archiving, object size, clock and
   * tokens.
   *
   * @return the engine options
   */
  public EngineOptions engineOptions() {
    return engineOptions;
  }

  /**
   * The properties passed to the store when the queue opens it by URI.
   *
   * @return an unmodifiable copy of the store properties
   */
  public Map<String, String> storeProperties() {
    return storeProperties;
  }

  /**
   * The mapper that converts typed payloads to and from JSON.
   *
   * @return the object mapper
   */
  public ObjectMapper objectMapper() {
    return objectMapper;
  }

  /** Builder of {@link QueueOptions}. */
  public static final class Builder {
    private final QueuePolicy p = QueuePolicy.defaults();
    private final EngineOptions e = EngineOptions.defaults();
    private Duration defaultLease = p.defaultLease();
    private Duration maxLease = p.maxLease();
    private int maxAttempts = p.defaultMaxAttempts();
    private Duration backoffBase = p.backoffBase();
    private Duration backoffMax = p.backoffMax();
    private Duration idempotencyRetention = p.idempotencyRetention();
    private long idempotencyMemoryBudget = p.idempotencyMemoryBudget();
    private int maxPayloadBytes = p.maxPayloadBytes();
    private Duration minCommitInterval = e.minCommitInterval();
    private int maxBatchSize = e.maxBatchSize();
    private int maxConflictRetries = e.maxConflictRetries();
    private int archiveBatchSize = e.archiveBatchSize();
    private Duration archiveMaxDelay = e.archiveMaxDelay();
    private int maxObjectBytes = e.maxObjectBytes();
    private int headMaxReadyJobs = e.headMaxReadyJobs();
    private int headMaxBytes = e.headMaxBytes();
    private Clock clock = e.clock();
    private Supplier<String> tokens = e.tokens();
    private final Map<String, String> storeProperties = new HashMap<>();
    private ObjectMapper objectMapper = new ObjectMapper().registerModule(new JavaTimeModule());

    /**
     * Keep at most this many ready jobs in the queue object: beyond it, at a commit, the
     * worst-ordered ready jobs beyond half of it move into an immutable segment object next to the
     * queue object, so a commit's size does not grow with the backlog. Default 2,000; 0 keeps every
     * job in the queue object (no segments).
     */
    public Builder headMaxReadyJobs(int jobs) {
      this.headMaxReadyJobs = jobs;
      return this;
    }

    /**
     * The queue object's byte budget: when a commit would make it larger and the leased jobs in it
     * make up at least an eighth of the budget, those leased jobs (payloads and leases) move into
     * an immutable leased-jobs object next to the queue object, so the object stays near the budget
     * however many jobs are leased. Default 1 MiB ({@code -Dcasq.headMaxBytes=N} overrides the
     * default); 0 keeps every leased job in the queue object. It is a target, not a limit: ready,
     * scheduled and finished jobs are bounded by {@link #headMaxReadyJobs} and archiving.
     *
     * @param bytes the budget in bytes, 0 or more
     * @return this builder
     */
    public Builder headMaxBytes(int bytes) {
      this.headMaxBytes = bytes;
      return this;
    }

    /**
     * The largest the queue object may grow: while it is this large, pushes are refused with {@link
     * QueueFullException} (claims, completions and cancels still work). Default 64 MiB, at least
     * 1024.
     *
     * @param bytes the size in bytes
     * @return this builder
     */
    public Builder maxObjectBytes(int bytes) {
      this.maxObjectBytes = bytes;
      return this;
    }

    /** Lease when a claim names none. Default 30s. */
    public Builder defaultLease(Duration d) {
      this.defaultLease = d;
      return this;
    }

    /** Longest lease a claim or heartbeat may ask for. Default 12h. */
    public Builder maxLease(Duration d) {
      this.maxLease = d;
      return this;
    }

    /** Attempts before a job goes dead, when a push names none. Default 5. */
    public Builder maxAttempts(int n) {
      this.maxAttempts = n;
      return this;
    }

    /** First retry delay after a failure; doubles per attempt up to backoffMax. Default 1s/5m. */
    public Builder backoff(Duration base, Duration max) {
      this.backoffBase = base;
      this.backoffMax = max;
      return this;
    }

    /**
     * The dedupe window: how long the idempotency key of a finished job is remembered, whatever the
     * throughput (a push with the key within it gets the original job id back). Default 5m, ten
     * times the 30 s casq's Java client retries a call; keep it longer than any client's retries.
     */
    public Builder idempotencyRetention(Duration d) {
      this.idempotencyRetention = d;
      return this;
    }

    /**
     * Memory the queue's idempotency keys may take, in bytes (each key is counted at {@link
     * QueuePolicy#BYTES_PER_KEY} bytes). While the queue holds as many keys as the budget allows,
     * pushes with a new key are refused with {@link IdempotencyBudgetException} (HTTP 429 {@code
     * idempotency_budget}); a key is never forgotten early. 1 MiB to 32 GiB; default 256 MiB (about
     * 6.7 million keys: 5 minutes at 22,000 keyed pushes a second).
     */
    public Builder idempotencyMemoryBudget(long bytes) {
      this.idempotencyMemoryBudget = bytes;
      return this;
    }

    /**
     * Sets {@link #idempotencyMemoryBudget} to hold {@code n} keys ({@code n} times {@link
     * QueuePolicy#BYTES_PER_KEY} bytes, at least the 1 MiB minimum).
     *
     * @deprecated keys are no longer forgotten by count (that silently shortened the dedupe window
     *     under load); use {@link #idempotencyMemoryBudget(long)}
     */
    @Deprecated
    public Builder maxRememberedKeys(int n) {
      if (n < 0) {
        throw new InvalidRequestException("invalid queue option: maxRememberedKeys must be >= 0");
      }
      this.idempotencyMemoryBudget =
          Math.max(QueuePolicy.MIN_IDEMPOTENCY_MEMORY_BUDGET, (long) n * QueuePolicy.BYTES_PER_KEY);
      return this;
    }

    /** Largest payload in bytes. Default 262144 (256 KiB). */
    public Builder maxPayloadBytes(int n) {
      this.maxPayloadBytes = n;
      return this;
    }

    /** Least time between commits; default: the store's minimum write interval (0 for file). */
    public Builder minCommitInterval(Duration d) {
      this.minCommitInterval = d;
      return this;
    }

    /** Most commands in one commit. Default 20000. */
    public Builder maxBatchSize(int n) {
      this.maxBatchSize = n;
      return this;
    }

    /** Lost races one batch may suffer before its callers get an error. Default 1000. */
    public Builder maxConflictRetries(int n) {
      this.maxConflictRetries = n;
      return this;
    }

    /** Archive finished jobs in groups of this many, or when the oldest waited archiveMaxDelay. */
    public Builder archive(int batchSize, Duration maxDelay) {
      this.archiveBatchSize = batchSize;
      this.archiveMaxDelay = maxDelay;
      return this;
    }

    /** The clock; inject one in tests. Default UTC system clock. */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** Source of lease tokens and commit ids. Default: 128-bit secure random. */
    public Builder tokens(Supplier<String> t) {
      this.tokens = Objects.requireNonNull(t, "tokens");
      return this;
    }

    /** A store property, e.g. {@code file.fsync=false} or {@code s3.endpoint=...}. */
    public Builder storeProperty(String key, String value) {
      this.storeProperties.put(key, value);
      return this;
    }

    /**
     * Adds store properties, replacing earlier values of the same keys.
     *
     * @param props the properties to add
     * @return this builder
     */
    public Builder storeProperties(Map<String, String> props) {
      this.storeProperties.putAll(props);
      return this;
    }

    /** The mapper for typed payloads. */
    public Builder objectMapper(ObjectMapper m) {
      this.objectMapper = Objects.requireNonNull(m, "objectMapper");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws InvalidRequestException naming the first invalid setting
     */
    public QueueOptions build() {
      try {
        return new QueueOptions(this);
      } catch (IllegalArgumentException | NullPointerException ex) {
        throw new InvalidRequestException("invalid queue option: " + ex.getMessage());
      }
    }
  }
}
