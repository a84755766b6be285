package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClaimBackoffTest {
  @Test
  void doublesFromFiftyMillisUpToFiveSecondsAndResetsOnSuccess() {
    ClaimBackoff b = new ClaimBackoff(ClaimBackoff.FIRST, ClaimBackoff.MAX, () -> 0.999999);
    long[] expected = {50, 100, 200, 400, 800, 1600, 3200, 5000, 5000};
    for (long ms : expected) {
      assertThat(b.failed().toMillis()).isBetween(ms - 1, ms);
    }
    b.succeeded();
    assertThat(b.failed().toMillis()).isBetween(49L, 50L);
  }

  @Test
  void jitterStaysInTheUpperHalfOfTheStep() {
    assertThat(ClaimBackoff.delay(1, Duration.ofMillis(50), Duration.ofSeconds(5), 0.0))
        .isEqualTo(Duration.ofMillis(25));
    assertThat(ClaimBackoff.delay(3, Duration.ofMillis(50), Duration.ofSeconds(5), 0.5))
        .isEqualTo(Duration.ofMillis(150));
    assertThat(ClaimBackoff.delay(1000, Duration.ofMillis(50), Duration.ofSeconds(5), 0.0))
        .isEqualTo(Duration.ofMillis(2500));
    assertThat(ClaimBackoff.delay(0, Duration.ofMillis(50), Duration.ofSeconds(5), 0.5))
        .isEqualTo(Duration.ZERO);
  }
}
