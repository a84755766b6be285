package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.core.internal.BrokerRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The client's waits while its broker does not answer, without I/O. */
class FailoverPacingTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final Duration DEFAULT = Duration.ofSeconds(10);
  private static final Duration TWO_SECONDS = Duration.ofSeconds(2);

  private final FailoverPacing pacing =
      new FailoverPacing(DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));

  private static BrokerRecord declaring(Duration staleAfter, Duration age) {
    return new BrokerRecord("a", "http://a:1", 1, NOW.minus(age))
        .declaring(Duration.ofMillis(250), staleAfter);
  }

  @Test
  void withTheDefaultsTheRetryPolicysBackoffIsKept() {
    assertThat(pacing.nextLook(TWO_SECONDS)).isEqualTo(TWO_SECONDS);
    pacing.recorded(new BrokerRecord("a", "http://a:1", 1, NOW.minusSeconds(30)));
    assertThat(pacing.nextLook(TWO_SECONDS)).isEqualTo(TWO_SECONDS);
    assertThat(pacing.probeTimeout(declaring(DEFAULT, Duration.ZERO), Duration.ofSeconds(1)))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aBrokerDeclaring1500msIsLookedAtEvery375msAtMost() {
    pacing.recorded(declaring(Duration.ofMillis(1500), Duration.ofSeconds(5))); // stale already
    assertThat(pacing.staleAfter()).isEqualTo(Duration.ofMillis(1500));
    assertThat(pacing.nextLook(TWO_SECONDS)).isEqualTo(Duration.ofMillis(375));
    assertThat(pacing.nextLook(Duration.ofMillis(50))).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void theNextLookComesJustAfterTheRecordedHeartbeatTurnsStale() {
    pacing.recorded(declaring(Duration.ofMillis(1500), Duration.ofMillis(1400)));
    assertThat(pacing.nextLook(TWO_SECONDS)).isEqualTo(Duration.ofMillis(101));
    // a resigned broker is not waited for
    pacing.recorded(
        new BrokerRecord("a", "http://a:1", 1, Instant.EPOCH)
            .declaring(Duration.ofMillis(250), Duration.ofMillis(1500)));
    assertThat(pacing.nextLook(TWO_SECONDS)).isEqualTo(Duration.ofMillis(375));
  }

  @Test
  void theHealthProbeGetsAThirdOfTheDeclaredStalenessAtMost() {
    assertThat(
            pacing.probeTimeout(
                declaring(Duration.ofMillis(1500), Duration.ZERO), Duration.ofSeconds(1)))
        .isEqualTo(Duration.ofMillis(500));
    assertThat(
            pacing.probeTimeout(
                declaring(Duration.ofMillis(1500), Duration.ZERO), Duration.ofMillis(300)))
        .isEqualTo(Duration.ofMillis(300));
    // an absurd declaration is bounded before it is used
    assertThat(
            pacing.probeTimeout(
                declaring(Duration.ofMillis(1), Duration.ZERO), Duration.ofSeconds(1)))
        .isEqualTo(Duration.ofMillis(100).dividedBy(3));
  }
}
