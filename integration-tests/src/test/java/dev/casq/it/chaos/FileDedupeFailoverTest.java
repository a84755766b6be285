package dev.casq.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.cli.DedupeScenario;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedupe window end to end, short: {@code casq bench --scenario dedupe}'s scenario at a small
 * rate, with real broker processes on {@code file://} (an active one and a {@code --standby}),
 * keyed batch pushes, consumers completing them, SIGKILL of the active broker half way, and 1,000
 * earlier keys pushed again (half throughout, half as soon as the standby serves, half of those
 * from the 2 s before the kill). Every retry must get its original job id back, no key may get a
 * second job, and every acknowledged push must be completed exactly once (or still be pending). The
 * scenario waits for conditions (the standby serving, the queue empty, every retry answered), not
 * for times; the rate only shapes the load. {@code -Dcasq.it.dedupe.rate} and {@code
 * -Dcasq.it.dedupe.seconds} change it.
 */
@DisplayName("idempotency keys across a SIGKILL failover, with real processes on file://")
class FileDedupeFailoverTest {
  @TempDir Path dir;

  @Test
  void retriedKeysGetTheirOriginalJobAcrossAFailoverAndNothingIsLostOrDoubled() throws Exception {
    int rate = Integer.getInteger("casq.it.dedupe.rate", 500);
    Duration run = Duration.ofSeconds(Integer.getInteger("casq.it.dedupe.seconds", 24));
    DedupeScenario.Settings settings =
        new DedupeScenario.Settings(
            rate,
            run,
            run.dividedBy(2),
            1_000,
            4,
            50,
            2,
            200,
            Duration.ofSeconds(4),
            Duration.ofMillis(250),
            Duration.ofMillis(1500),
            Duration.ofMinutes(5),
            100,
            List.of("-Xmx512m"),
            Map.of(),
            Duration.ofMinutes(2));
    List<String> java =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            ClassPathSnapshot.classPath());
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);

    DedupeScenario.Outcome o =
        new DedupeScenario(settings, java, dir.resolve("scenario"), out).run();

    assertThat(o.takeover()).as("the standby took over after the SIGKILL").isNotNull();
    assertThat(o.firstAckAfterKill()).as("the standby acknowledged pushes").isNotNull();
    assertThat(o.acknowledged()).as("pushes acknowledged").isPositive();
    assertThat(o.retriesChecked())
        .as("retries answered with their original job id")
        .isEqualTo(1_000);
    assertThat(o.retriesUnchecked()).as("retries never answered").isZero();
    assertThat(o.duplicates()).as("retries with another job id, keys with a second job").isZero();
    assertThat(o.newKeysAnsweredDuplicate()).as("first pushes answered as duplicates").isZero();
    assertThat(o.doubleCompletes()).as("jobs completed twice").isZero();
    assertThat(o.lost()).as("acknowledged pushes lost").isZero();
    assertThat(o.extraJobs()).as("jobs created beyond one per key").isZero();
    assertThat(o.stillPending())
        .as("acknowledged pushes left in the queue after the drain")
        .isZero();
    assertThat(o.passed()).isTrue();
  }
}
