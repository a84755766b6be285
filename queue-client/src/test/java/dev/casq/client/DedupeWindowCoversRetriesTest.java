package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.core.QueuePolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client retries a push with the same idempotency key for as long as its retry deadline: the
 * queue's default dedupe window must cover that many times over (a retry after a failover, a
 * partition or a long pause must never create a second job).
 */
class DedupeWindowCoversRetriesTest {
  @Test
  void theDefaultRetentionIsAtLeastFiveMinutesAndTenTimesTheClientsRetryDeadline() {
    Duration retention = QueuePolicy.defaults().idempotencyRetention();
    Duration retries = RetryPolicy.defaults().deadline();
    assertThat(retention).isGreaterThanOrEqualTo(Duration.ofMinutes(5));
    assertThat(retention).isGreaterThanOrEqualTo(retries.multipliedBy(10));
  }
}
