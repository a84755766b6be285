package dev.casq.spring;

import dev.casq.api.Queue;
import dev.casq.api.QueueStats;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The queue's health ({@code casq} in {@code /actuator/health}): UP with the queue's stats (ready,
 * scheduled, leased jobs, revision and the broker the queue object names) when a stats call answers
 * within the timeout ({@code casq.health.timeout}); DOWN with the error, or the timeout, otherwise.
 * In remote mode the stats come from the broker, so DOWN also means that the broker cannot be
 * reached.
 */
public class CasqHealthIndicator extends AbstractHealthIndicator {
  private final Queue<?> queue;
  private final Duration timeout;

  /**
   * A health indicator of {@code queue}.
   *
   * @param queue the queue
   * @param timeout how long a stats call gets
   */
  public CasqHealthIndicator(Queue<?> queue, Duration timeout) {
    super("casq health check failed");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    CompletableFuture<QueueStats> call = queue.statsAsync();
    QueueStats stats;
    try {
      stats = call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      call.cancel(false);
      builder.down().withDetail("error", "the queue's stats did not answer within " + timeout);
      return;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      builder.down(cause);
      return;
    }
    builder
        .up()
        .withDetail("revision", stats.revision())
        .withDetail("ready", stats.ready())
        .withDetail("scheduled", stats.scheduled())
        .withDetail("leased", stats.leased());
    QueueStats.Broker broker = stats.broker();
    if (broker != null) {
      builder.withDetail("broker", broker.address()).withDetail("brokerEpoch", broker.epoch());
    }
  }
}
