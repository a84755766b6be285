package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy p =
      new RetryPolicy(
          Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.5);

  @RepeatedTest(20)
  void backoffGrowsExponentiallyWithJitterAndStopsAtTheCap() {
    assertThat(p.backoff(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(p.backoff(2)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(p.backoff(3)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
    assertThat(p.backoff(50)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
  }

  @Test
  void jitterSpreadsRetriesOfClientsThatFailedTogether() {
    long distinct =
        java.util.stream.IntStream.range(0, 50).mapToObj(i -> p.backoff(3)).distinct().count();
    assertThat(distinct).isGreaterThan(10);
  }

  @Test
  void noneMeansOneAttempt() {
    assertThat(RetryPolicy.none().deadline()).isZero();
    assertThat(RetryPolicy.none().backoff(1)).isZero();
  }

  @Test
  void invalidPoliciesAreRefused() {
    assertThatThrownBy(
            () -> new RetryPolicy(Duration.ofSeconds(-1), Duration.ZERO, Duration.ZERO, 1, 0))
        .hasMessageContaining("deadline");
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0))
        .hasMessageContaining("backoff");
    assertThatThrownBy(
            () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, 0.5, 0))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(
            () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, 2, 1.5))
        .hasMessageContaining("jitter");
  }

  @Test
  void redactedOriginsHideCredentials() {
    assertThat(ClientConfig.redact("s3://key:secret@bucket/q.json?x=1"))
        .isEqualTo("s3://***@bucket/q.json");
    assertThat(ClientConfig.redact("file:///tmp/q.json")).isEqualTo("file:///tmp/q.json");
  }
}
