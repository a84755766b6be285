package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.client.HeldResignationStoreProvider;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code casq push} and {@code casq work} give the broker they host {@code --shutdown-timeout}:
 * with a store that never takes the resignation, they exit after that timeout, not after the
 * broker's default 10 s.
 */
class HostedBrokerShutdownTimeoutTest {
  private final String store = "held-mem://cli-" + UUID.randomUUID() + "/jobs.json";

  @BeforeEach
  void hold() {
    HeldResignationStoreProvider.hold();
  }

  @AfterEach
  void release() {
    HeldResignationStoreProvider.release();
  }

  @Test
  void pushHostingABrokerExitsWithinItsShutdownTimeout() {
    // a first push (its broker resigns normally) so that the measured one starts warm
    HeldResignationStoreProvider.release();
    assertThat(Cli.run("push", "--store", store + ".warm", "{}").exit()).isZero();
    HeldResignationStoreProvider.hold();

    long t0 = System.nanoTime();
    Cli.Result r = Cli.run("push", "--store", store, "--shutdown-timeout", "500ms", "{}");
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).startsWith("j");
    assertThat(HeldResignationStoreProvider.held()).isEqualTo(1);
    assertThat(took).isLessThan(Duration.ofSeconds(6));
  }

  @Test
  void workHostingABrokerExitsWithinItsShutdownTimeout() {
    HeldResignationStoreProvider.release(); // the push's broker resigns normally
    assertThat(Cli.run("push", "--store", store, "{}").exit()).isZero();
    HeldResignationStoreProvider.hold();

    long t0 = System.nanoTime();
    Cli.Result r =
        Cli.run(
            "work",
            "--store",
            store,
            "--max-jobs",
            "1",
            "--shutdown-timeout",
            "500ms",
            "--",
            "sh",
            "-c",
            "cat >/dev/null");
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(HeldResignationStoreProvider.held()).isEqualTo(1);
    assertThat(took).isLessThan(Duration.ofSeconds(6));
  }
}
