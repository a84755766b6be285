package dev.casq.broker;

import dev.casq.core.EngineMetrics;
import dev.casq.core.EngineHealth;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The broker's meters, exposed at {@code /metrics} in the Prometheus text format:
 *
 * <ul>
 *   <li>{@code casq_http_requests_seconds} (method, route, status): count, sum, max
 *   <li>{@code casq_commits_total}, {@code casq_commands_total}, {@code casq_commit_conflicts_total},
 *       {@code casq_commit_unknown_outcomes_total}, {@code casq_store_backpressure_total},
 *       {@code casq_archived_jobs_total}, {@code casq_written_bytes_total}, {@code
 *       casq_commit_write_seconds}, {@code casq_object_bytes}, {@code
 *       casq_idempotency_budget_refusals_total}, {@code casq_idempotency_keys} (queue)
 *   <li>{@code casq_commit_batch_size} (queue): commands per commit
 *   <li>{@code casq_queue_jobs} (queue, state = ready | scheduled | leased |
 *       finished), {@code
 *       casq_queue_events_total} (queue, event = pushed | claimed | ...), {@code
 *       casq_queue_revision} (queue): from the queue's last-batch snapshot
 *   <li>{@code casq_queue_state} (queue, state = starting | serving | retrying | fenced |
 *       stopped): 1 for the engine's current state
 *   <li>{@code casq_queue_fenced_total} (queue)
 * </ul>
 */
final class BrokerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Timer> requestTimers = new ConcurrentHashMap<>();

  MeterRegistry registry() {
    return registry;
  }

  String scrape() {
    return registry.scrape();
  }

  void request(String method, String route, int status, long nanos) {
    String key = method + ' ' + route + ' ' + status;
    Timer t = requestTimers.get(key);
    if (t == null) {
      t = requestTimers.computeIfAbsent(key, k ->
          Timer.builder("casq.http.requests")
              .description("HTTP requests by route and status")
              .tag("method", method)
              .tag("route", route)
              .tag("status", Integer.toString(status))
              .register(registry));
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Meters of one served queue; call once per queue. They read the queue's last-batch snapshot
   * and its engine's health: a scrape never sends the engine a command.
   */
  QueueMeters queue(String name, ServedQueue served) {
    Map<String, java.util.function.ToIntFunction<QueueSnapshot>> byState = new LinkedHashMap<>();
    byState.put("ready", QueueSnapshot::ready);
    byState.put("scheduled", QueueSnapshot::scheduled);
    byState.put("leased", QueueSnapshot::leased);
    byState.put("finished", QueueSnapshot::finished);
    byState.forEach((state, count) ->
        Gauge.builder("casq.queue.jobs", served, q -> count.applyAsInt(q.snapshot()))
            .description("jobs in the queue by state, as of the engine's last batch")
            .tag("queue", name)
            .tag("state", state)
            .register(registry));
    for (int i = 0; i < QueueSnapshot.COUNTERS.length; i++) {
      int index = i;
      FunctionCounter.builder("casq.queue.events", served, q -> q.snapshot().counter(index))
          .description("totals of the queue object since it was created")
          .tag("queue", name)
          .tag("event", QueueSnapshot.COUNTERS[i])
          .register(registry);
    }
    Gauge.builder("casq.queue.revision", served, ServedQueue::revision)
        .description("revision of the queue object last committed")
        .tag("queue", name)
        .register(registry);
    for (EngineHealth.State state : EngineHealth.State.values()) {
      Gauge.builder("casq.queue.state", served, q -> q.engineHealth().state() == state ? 1 : 0)
          .description("1 for the state the queue's engine is in, 0 for the others")
          .tag("queue", name)
          .tag("state", state.wireName())
          .register(registry);
    }
    return new QueueMeters(name);
  }

  /** The meters that follow one queue's commit engine. */
  final class QueueMeters {
    private final String name;
    private final DistributionSummary batchSize;
    private final Counter fenced;
    private long seenCommits;
    private long seenCommands;

    QueueMeters(String name) {
      this.name = name;
      this.batchSize =
          DistributionSummary.builder("casq.commit.batch.size")
              .description("commands per commit")
              .tag("queue", name)
              .register(registry);
      this.fenced =
          Counter.builder("casq.queue.fenced")
              .description("times a newer broker took this queue over")
              .tag("queue", name)
              .register(registry);
    }

    /** Binds to the engine that now serves the queue. */
    void bind(EngineMetrics m) {
      fc("casq.commits", m, EngineMetrics::commits, "successful writes of the queue object");
      fc("casq.commands", m, EngineMetrics::commands, "commands carried by those writes");
      fc("casq.commit.conflicts", m, EngineMetrics::conflicts, "lost compare-and-swaps");
      fc("casq.commit.unknown.outcomes", m, EngineMetrics::unknownOutcomes,
          "writes whose outcome had to be found out by reading");
      fc("casq.store.backpressure", m, EngineMetrics::backPressure, "store rate-limit answers");
      fc("casq.archived.jobs", m, EngineMetrics::archived, "finished jobs moved to archives");
      fc("casq.written.bytes", m, EngineMetrics::bytesWritten, "bytes of queue object written");
      fc("casq.idempotency.budget.refusals", m, EngineMetrics::keyBudgetRefusals,
          "pushes with a new idempotency key refused at the idempotencyMemoryBudget");
      Gauge.builder("casq.idempotency.keys", m, EngineMetrics::idempotencyKeys)
          .description("idempotency keys held in memory at the last commit")
          .tag("queue", name)
          .register(registry);
      FunctionTimer.builder("casq.commit.write", m, EngineMetrics::commits,
              EngineMetrics::writeNanos, TimeUnit.NANOSECONDS)
          .description("time spent writing the queue object")
          .tag("queue", name)
          .register(registry);
      Gauge.builder("casq.object.bytes", m, EngineMetrics::lastObjectBytes)
          .description("size of the queue object at the last commit")
          .tag("queue", name)
          .register(registry);
      seenCommits = m.commits();
      seenCommands = m.commands();
    }

    /** Called on the commit thread after every batch: records the size of the new commit. */
    void afterBatch(EngineMetrics m) {
      long commits = m.commits();
      if (commits != seenCommits) {
        long commands = m.commands();
        long n = commits - seenCommits;
        double perCommit = (double) (commands - seenCommands) / n;
        for (long i = 0; i < n; i++) {
          batchSize.record(perCommit);
        }
        seenCommits = commits;
        seenCommands = commands;
      }
    }

    void fenced() {
      fenced.increment();
    }

    private void fc(String meter, EngineMetrics m, ToDoubleFunction<EngineMetrics> f,
        String description) {
      FunctionCounter.builder(meter, m, f)
          .description(description)
          .tag("queue", name)
          .register(registry);
    }
  }
}
