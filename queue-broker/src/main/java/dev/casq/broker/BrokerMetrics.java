package dev.casq.broker;

import dev.casq.core.internal.EngineHealth;
import dev.casq.core.internal.GroupCommitEngine;
import dev.casq.micrometer.CasqMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The broker's meters, exposed at {@code /metrics} in the Prometheus text format:
 *
 * <ul>
 *   <li>{@code http_server_requests_seconds} (method, uri, status, outcome): a histogram with
 *       {@link CasqMetrics#LATENCY_BUCKETS}
 *   <li>each served queue's {@link CasqMetrics} (the names an embedded queue has too)
 *   <li>{@code casq_queue_state} (queue, state = starting | serving | retrying | fenced | stopped):
 *       1 for the engine's current state; {@code casq_queue_fenced_total} (queue)
 *   <li>JVM and process meters: {@code jvm_memory_*}, {@code jvm_gc_*}, {@code jvm_threads_*},
 *       {@code jvm_classes_*}, {@code process_cpu_usage}, {@code system_cpu_*}, {@code
 *       process_uptime_seconds}, {@code process_start_time_seconds}, {@code process_files_*}
 * </ul>
 */
final class BrokerMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Timer> requestTimers = new ConcurrentHashMap<>();
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Clock clock;

  BrokerMetrics(Clock clock) {
    this.clock = clock;
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

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
      t =
          requestTimers.computeIfAbsent(
              key,
              k ->
                  Timer.builder("http.server.requests")
                      .description("HTTP requests by route and status")
                      .serviceLevelObjectives(CasqMetrics.LATENCY_BUCKETS.toArray(Duration[]::new))
                      .tag("method", method)
                      .tag("uri", route)
                      .tag("status", Integer.toString(status))
                      .tag("outcome", outcome(status))
                      .register(registry));
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }

  private static String outcome(int status) {
    if (status >= 500) {
      return "SERVER_ERROR";
    } else if (status >= 400) {
      return "CLIENT_ERROR";
    } else if (status >= 300) {
      return "REDIRECTION";
    } else if (status >= 200) {
      return "SUCCESS";
    }
    return "INFORMATIONAL";
  }

  /**
   * Meters of one served queue; call once per queue. They read what its engine published after its
   * last batch and commit, and its health: a scrape never sends the engine a command.
   */
  QueueMeters queue(String name, ServedQueue served) {
    CasqMetrics queueMetrics = new CasqMetrics(name, clock);
    queueMetrics.bindTo(registry);
    for (EngineHealth.State state : EngineHealth.State.values()) {
      Gauge.builder("casq.queue.state", served, q -> q.engineHealth().state() == state ? 1 : 0)
          .description("1 for the state the queue's engine is in, 0 for the others")
          .tag("queue", name)
          .tag("state", state.wireName())
          .register(registry);
    }
    return new QueueMeters(name, queueMetrics);
  }

  /** Stops listening to the JVM's garbage collections; the meters stay readable. */
  @Override
  public void close() {
    gc.close();
  }

  /** The meters that follow one queue's commit engine. */
  final class QueueMeters {
    private final CasqMetrics queueMetrics;
    private final Counter fenced;

    QueueMeters(String name, CasqMetrics queueMetrics) {
      this.queueMetrics = queueMetrics;
      this.fenced =
          Counter.builder("casq.queue.fenced")
              .description("times a newer broker took this queue over")
              .tag("queue", name)
              .register(registry);
    }

    /** Follows the engine that now serves the queue. */
    void bind(GroupCommitEngine engine) {
      queueMetrics.follow(engine);
    }

    void fenced() {
      fenced.increment();
    }
  }
}
