package dev.casq.micrometer;

import dev.casq.core.internal.EmbeddedQueues;
import dev.casq.core.internal.EngineMetrics;
import dev.casq.core.internal.GroupCommitEngine;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.QueueTally;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The meters of one casq queue, for an embedded queue and for the broker alike (the broker binds
 * one per queue it serves, so both expose the same names). With the Prometheus registry:
 *
 * <ul>
 *   <li>{@code casq_queue_events_total} (queue, event = pushed | claimed | completed | failed |
 *       dead | expired | retried | cancelled | archived): the queue object's totals as of the last
 *       commit that landed, so they count committed events, never requests
 *   <li>{@code casq_queue_jobs} (queue, state = ready | scheduled | leased | dead | finished) and
 *       {@code casq_queue_oldest_ready_age_seconds} (queue): refreshed after every batch
 *   <li>{@code casq_queue_revision} (queue)
 *   <li>{@code casq_commit_write_seconds} and {@code casq_commit_batch_size} (queue): histograms
 *       with fixed buckets, so they can be summed across brokers
 *   <li>the engine's counters: {@code casq_commits_total}, {@code casq_commands_total}, {@code
 *       casq_commit_conflicts_total}, {@code casq_commit_unknown_outcomes_total}, {@code
 *       casq_commit_errors_total}, {@code casq_store_backpressure_total}, {@code
 *       casq_archived_jobs_total}, {@code casq_written_bytes_total}, {@code
 *       casq_idempotency_budget_refusals_total}; gauges {@code casq_object_bytes}, {@code
 *       casq_idempotency_keys}
 * </ul>
 *
 * <p>The engine it follows holds this binder (and Micrometer's counters only weakly): keep a
 * reference to it while it follows none. Every meter reads what the engine already published (a
 * scrape never sends the engine a command). The meters follow whichever engine serves the queue now
 * ({@link #follow}); the engine's own counters start again from zero with a new engine (a counter
 * reset, which Prometheus' {@code rate} handles), the queue's totals do not.
 *
 * <pre>{@code
 * Queue<Email> queue = Casq.open("file:///var/lib/casq/emails.json", Email.class);
 * CasqMetrics.of(queue, "emails").bindTo(registry);
 * }</pre>
 */
public final class CasqMetrics implements MeterBinder {
  /** Upper bounds of the commit latency buckets (also the broker's HTTP latency buckets). */
  public static final List<Duration> LATENCY_BUCKETS =
      List.of(
          Duration.ofMillis(1),
          Duration.ofMillis(2),
          Duration.ofMillis(5),
          Duration.ofMillis(10),
          Duration.ofMillis(25),
          Duration.ofMillis(50),
          Duration.ofMillis(100),
          Duration.ofMillis(250),
          Duration.ofMillis(500),
          Duration.ofSeconds(1),
          Duration.ofMillis(2500),
          Duration.ofSeconds(5),
          Duration.ofSeconds(10),
          Duration.ofSeconds(30));

  /** Upper bounds of the batch size buckets (commands per commit). */
  public static final List<Double> BATCH_BUCKETS =
      List.of(1d, 2d, 5d, 10d, 20d, 50d, 100d, 200d, 500d, 1000d, 2000d, 5000d, 10000d);

  private final String queue;
  private final Clock clock;
  private final Tags tags;
  private final List<Timer> commitTimers = new CopyOnWriteArrayList<>();
  private final List<DistributionSummary> batchSizes = new CopyOnWriteArrayList<>();
  private volatile GroupCommitEngine engine;

  /**
   * Meters of the queue called {@code queue} (its {@code queue} tag), measuring ages with {@code
   * clock}; they read zeros until {@link #follow} names the engine serving it.
   *
   * @param queue the value of the {@code queue} tag
   * @param clock the clock the queue runs on (the age of the oldest ready job is measured with it)
   */
  public CasqMetrics(String queue, Clock clock) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.tags = Tags.of("queue", queue);
  }

  /**
   * Meters of an embedded queue ({@code Casq.open}).
   *
   * @param queue the open queue
   * @param name the value of the {@code queue} tag
   * @param clock the clock the queue was opened with ({@code QueueOptions.clock})
   * @return the binder, following the queue's engine
   */
  public static CasqMetrics of(dev.casq.core.Queue<?> queue, String name, Clock clock) {
    return of(EmbeddedQueues.jobs(queue), name, clock);
  }

  /**
   * Meters of an embedded queue ({@code Casq.open}) that runs on the system clock.
   *
   * @param queue the open queue
   * @param name the value of the {@code queue} tag
   * @return the binder, following the queue's engine
   */
  public static CasqMetrics of(dev.casq.core.Queue<?> queue, String name) {
    return of(queue, name, Clock.systemUTC());
  }

  /**
   * Meters of the untyped queue under an embedded queue or a broker (for casq's own modules).
   *
   * @param queue the open queue
   * @param name the value of the {@code queue} tag
   * @param clock the clock the queue was opened with ({@code QueueOptions.clock})
   * @return the binder, following the queue's engine
   */
  public static CasqMetrics of(JobQueue queue, String name, Clock clock) {
    return new CasqMetrics(name, clock).follow(queue.engine());
  }

  /**
   * Meters of the untyped queue under an embedded queue or a broker, on the system clock (for
   * casq's own modules).
   *
   * @param queue the open queue
   * @param name the value of the {@code queue} tag
   * @return the binder, following the queue's engine
   */
  public static CasqMetrics of(JobQueue queue, String name) {
    return of(queue, name, Clock.systemUTC());
  }

  /**
   * Follows {@code next} from now on (the engine that serves the queue after a start or a
   * takeover).
   *
   * @param next the engine
   * @return this
   */
  public CasqMetrics follow(GroupCommitEngine next) {
    Objects.requireNonNull(next, "engine");
    next.metrics()
        .observeCommits(
            (commands, bytes, nanos) -> {
              if (engine != next) {
                return; // an engine no longer followed
              }
              for (Timer t : commitTimers) {
                t.record(nanos, TimeUnit.NANOSECONDS);
              }
              for (DistributionSummary s : batchSizes) {
                s.record(commands);
              }
            });
    this.engine = next;
    return this;
  }

  /**
   * The value of the {@code queue} tag.
   *
   * @return the queue's name
   */
  public String queue() {
    return queue;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Map<String, ToLongFunction<QueueTally>> events = new LinkedHashMap<>();
    events.put("pushed", QueueTally::pushed);
    events.put("claimed", QueueTally::claimed);
    events.put("completed", QueueTally::completed);
    events.put("failed", QueueTally::failed);
    events.put("dead", QueueTally::deadTotal);
    events.put("expired", QueueTally::expired);
    events.put("retried", QueueTally::retried);
    events.put("cancelled", QueueTally::cancelled);
    events.put("archived", QueueTally::archived);
    events.forEach(
        (event, f) ->
            FunctionCounter.builder("casq.queue.events", this, m -> f.applyAsLong(m.committed()))
                .description("the queue object's totals as of the last commit that landed")
                .tags(tags)
                .tag("event", event)
                .register(registry));

    Map<String, ToLongFunction<QueueTally>> jobs = new LinkedHashMap<>();
    jobs.put("ready", QueueTally::ready);
    jobs.put("scheduled", QueueTally::scheduled);
    jobs.put("leased", QueueTally::leased);
    jobs.put("dead", QueueTally::dead);
    jobs.put("finished", QueueTally::finished);
    jobs.forEach(
        (state, f) ->
            Gauge.builder("casq.queue.jobs", this, m -> f.applyAsLong(m.latest()))
                .description(
                    "jobs in the queue by state, after the engine's last batch (dead and "
                        + "finished: those still in the queue object, waiting to be archived)")
                .strongReference(true)
                .tags(tags)
                .tag("state", state)
                .register(registry));
    Gauge.builder(
            "casq.queue.oldest.ready.age",
            this,
            m -> m.latest().oldestReadyAge(clock.instant()).toNanos() / 1e9)
        .description("how long the ready job waiting longest has been claimable (0: none ready)")
        .baseUnit("seconds")
        .strongReference(true)
        .tags(tags)
        .register(registry);
    Gauge.builder("casq.queue.revision", this, m -> m.committed().revision())
        .description("revision of the queue object last committed")
        .strongReference(true)
        .tags(tags)
        .register(registry);

    commitTimers.add(
        Timer.builder("casq.commit.write")
            .description("time from the start of a write of the queue object until it landed")
            .serviceLevelObjectives(LATENCY_BUCKETS.toArray(Duration[]::new))
            .tags(tags)
            .register(registry));
    batchSizes.add(
        DistributionSummary.builder("casq.commit.batch.size")
            .description("commands per commit")
            .serviceLevelObjectives(
                BATCH_BUCKETS.stream().mapToDouble(Double::doubleValue).toArray())
            .tags(tags)
            .register(registry));

    engineCounter(
        registry, "casq.commits", EngineMetrics::commits, "successful writes of the queue object");
    engineCounter(
        registry, "casq.commands", EngineMetrics::commands, "commands carried by those writes");
    engineCounter(
        registry, "casq.commit.conflicts", EngineMetrics::conflicts, "lost compare-and-swaps");
    engineCounter(
        registry,
        "casq.commit.unknown.outcomes",
        EngineMetrics::unknownOutcomes,
        "writes whose outcome had to be found out by reading");
    engineCounter(
        registry,
        "casq.commit.errors",
        EngineMetrics::errors,
        "errors of the commit loop (failed writes or reads), each followed by a retry");
    engineCounter(
        registry,
        "casq.store.backpressure",
        EngineMetrics::backPressure,
        "store rate-limit answers");
    engineCounter(
        registry, "casq.archived.jobs", EngineMetrics::archived, "finished jobs moved to archives");
    engineCounter(
        registry,
        "casq.written.bytes",
        EngineMetrics::bytesWritten,
        "bytes of queue object written");
    engineCounter(
        registry,
        "casq.idempotency.budget.refusals",
        EngineMetrics::keyBudgetRefusals,
        "pushes with a new idempotency key refused at the idempotencyMemoryBudget");
    engineGauge(
        registry,
        "casq.idempotency.keys",
        EngineMetrics::idempotencyKeys,
        "idempotency keys held in memory at the last commit");
    engineGauge(
        registry,
        "casq.object.bytes",
        EngineMetrics::lastObjectBytes,
        "size of the queue object at the last commit");
  }

  private QueueTally committed() {
    GroupCommitEngine e = engine;
    return e == null ? QueueTally.NONE : e.metrics().committed();
  }

  private QueueTally latest() {
    GroupCommitEngine e = engine;
    return e == null ? QueueTally.NONE : e.metrics().latest();
  }

  private double engineValue(ToDoubleFunction<EngineMetrics> f) {
    GroupCommitEngine e = engine;
    return e == null ? 0 : f.applyAsDouble(e.metrics());
  }

  private void engineCounter(
      MeterRegistry registry, String name, ToDoubleFunction<EngineMetrics> f, String description) {
    FunctionCounter.builder(name, this, m -> m.engineValue(f))
        .description(description)
        .tags(tags)
        .register(registry);
  }

  private void engineGauge(
      MeterRegistry registry, String name, ToDoubleFunction<EngineMetrics> f, String description) {
    Gauge.builder(name, this, m -> m.engineValue(f))
        .description(description)
        .strongReference(true)
        .tags(tags)
        .register(registry);
  }
}
