package dev.casq.spring;

import dev.casq.api.Queue;
import dev.casq.micrometer.CasqMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Binds casq's meters ({@link CasqMetrics}: {@code casq.queue.events}, {@code casq.queue.jobs},
 * commit latency, ...) of an embedded queue to each registry Spring Boot hands it. A queue reached
 * through a broker has no engine in this process: its meters are the broker's ({@code /metrics} of
 * the broker), and this binder binds nothing.
 */
public class CasqMeterBinder implements MeterBinder {
  private final Queue<?> queue;
  private final String name;
  private CasqMetrics metrics;

  /**
   * A binder for {@code queue}, tagged {@code queue=name}.
   *
   * @param queue the queue
   * @param name the value of the {@code queue} tag
   */
  public CasqMeterBinder(Queue<?> queue, String name) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.name = Objects.requireNonNull(name, "name");
  }

  /**
   * Whether the queue has meters here (it is embedded).
   *
   * @return true for an embedded queue
   */
  public boolean bindsMeters() {
    return queue instanceof dev.casq.core.Queue<?>;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    if (!(queue instanceof dev.casq.core.Queue<?> embedded)) {
      return;
    }
    if (metrics == null) {
      // one binder per queue (the engine holds it only weakly; this bean keeps it)
      metrics = CasqMetrics.of(embedded, name);
    }
    metrics.bindTo(registry);
  }
}
