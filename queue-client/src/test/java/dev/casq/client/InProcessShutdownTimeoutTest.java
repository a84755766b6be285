package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.InvalidRequestException;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broker the client started in its own process gets the client's shutdown timeout: when the store
 * does not take the resignation, closing the client ends after that timeout, not after the broker's
 * default 10 s.
 */
class InProcessShutdownTimeoutTest {
  record Job(int n) {}

  @BeforeEach
  void hold() {
    HeldResignationStoreProvider.hold();
  }

  @AfterEach
  void release() {
    HeldResignationStoreProvider.release();
  }

  @Test
  void closingTheClientStopsItsBrokerWithinTheConfiguredShutdownTimeout() {
    CasqClient client =
        CasqClient.builder()
            .storeUri("held-mem://sd-" + UUID.randomUUID() + "/jobs.json")
            .takeover(TakeoverPolicy.IN_PROCESS)
            .inProcessShutdownTimeout(Duration.ofMillis(600))
            .build();
    client.queue(Job.class).push(new Job(1)); // starts a broker in this process

    long t0 = System.nanoTime();
    client.close();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(HeldResignationStoreProvider.held()).isEqualTo(1); // the resignation never landed
    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofMillis(550))
        .isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aShutdownTimeoutThatIsNotPositiveIsRefused() {
    assertThatThrownBy(
            () ->
                CasqClient.builder()
                    .storeUri("mem://x/jobs.json")
                    .inProcessShutdownTimeout(Duration.ZERO)
                    .build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("shutdown timeout");
  }
}
