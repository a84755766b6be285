package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code casq bench --scenario dedupe}: a short run with one broker process (no failover; the
 * failover runs in integration-tests' FileDedupeFailoverTest), and options it refuses.
 */
class DedupeScenarioTest {
  @Test
  void checksEveryRetriedKeyAndEveryAcknowledgedPushAndReportsEachWindow() {
    Cli.Result r =
        Cli.run(
            "bench",
            "--scenario",
            "dedupe",
            "--rate",
            "200",
            "--duration",
            "3s",
            "--no-kill",
            "--retries",
            "100",
            "--batch",
            "20",
            "--clients",
            "2",
            "--consumers",
            "1",
            "--window",
            "1s",
            "--broker-jvm-options",
            "-XX:TieredStopAtLevel=1 -Xmx256m",
            "--store-property",
            "file.fsync=false");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("200 keyed pushes/s for 3s")
        .contains("no failover")
        .contains("retries checked 100 of 100")
        .contains("duplicates 0")
        .contains("0 lost")
        .contains("PASSED");
    assertThat(r.out().lines().filter(l -> l.matches(" *\\d+(ms|s) +(push|drain) .*")))
        .hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void refusesOptionsThatDoNotFit() {
    assertThat(Cli.run("bench", "--scenario", "dedupe", "--store", "file:///tmp/x.json").err())
        .contains("goes with none of");
    assertThat(
            Cli.run("bench", "--scenario", "dedupe", "--duration", "10s", "--kill-at", "10s").err())
        .contains("--kill-at must fall within");
    assertThat(Cli.run("bench", "--scenario", "dedupe", "--batch", "0").err())
        .contains("--batch must be 1..1000");
    assertThat(Cli.run("bench", "--scenario", "dedupe", "--rate", "0").err())
        .contains("--rate must be");
    assertThat(Cli.run("bench", "--scenario", "dedupe", "--stale-after", "100ms").err())
        .contains("--stale-after must be");
  }
}
