package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.ElectionOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A broker a client starts in its process keeps the timing the broker it replaces declared. */
class InProcessLauncherTimingTest {
  private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void theSuccessorDeclaresWhatItsPredecessorDeclared() {
    BrokerRecord dead =
        new BrokerRecord("b1", "http://127.0.0.1:1", 3, T)
            .declaring(Duration.ofMillis(250), Duration.ofMillis(1500));

    ElectionOptions timing = InProcessLauncher.election(Optional.of(dead), Duration.ofSeconds(10));

    assertThat(timing.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(timing.staleAfter()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void withoutADeclaredTimingTheClientsOwnStalenessApplies() {
    BrokerRecord old = new BrokerRecord("b1", "http://127.0.0.1:1", 3, T);

    assertThat(InProcessLauncher.election(Optional.of(old), Duration.ofSeconds(10)))
        .isEqualTo(ElectionOptions.defaults());
    assertThat(InProcessLauncher.election(Optional.empty(), Duration.ofSeconds(5)).staleAfter())
        .isEqualTo(Duration.ofSeconds(5));
  }
}
