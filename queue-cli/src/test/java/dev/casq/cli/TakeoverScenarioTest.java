package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code casq bench --scenario takeover}, short: per variant (the standby's warm-up off, then on)
 * an active and a standby broker process, 8 connections of the Java client from 2 s after the
 * standby's start, SIGKILL of the active broker 4 s into the load, 2 s more after the standby's
 * first acknowledged push. Checks that the standby took over and that the windows and the summary
 * are reported; no figure is asserted.
 */
class TakeoverScenarioTest {
  @Test
  void theStandbyTakesOverAfterTheKillAndItsWindowsAreReportedForBothVariants() {
    Cli.Result r =
        Cli.run(
            "bench",
            "--scenario",
            "takeover",
            "--clients",
            "8",
            "--kill-at",
            "4s",
            "--duration",
            "2s",
            "--stale-after",
            "1s",
            "--standby-warmup",
            "2s",
            "--standby-lead",
            "2s",
            "--broker-jvm-options",
            "-XX:TieredStopAtLevel=1 -Xmx256m",
            "--store-property",
            "file.fsync=false");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    String out = r.out();
    assertThat(out)
        .contains("8 connections (Java client")
        .contains("run 1, warm-up off: standby options: --standby-warmup 0")
        .contains("run 1, warm-up on: standby options: --standby-warmup 2s");
    assertThat(out.lines().filter(l -> l.contains("SIGKILL of the active broker (pid"))).hasSize(2);
    // 2 s after the first push in windows of 500 ms: 4 windows per variant
    List<String> windows =
        out.lines()
            .filter(l -> l.contains("pushes/s per 500ms from the standby's first push:"))
            .toList();
    assertThat(windows).hasSize(2);
    for (String w : windows) {
      assertThat(w.substring(w.indexOf(':') + 1).trim().split(" +")).hasSize(4);
    }
    Matcher m =
        Pattern.compile(
                "standby serving (\\d+) ms, first acknowledged push (\\d+) ms after the SIGKILL;"
                    + " first 3 s [\\d,]+ pushes/s, warm [\\d,]+ pushes/s .*; (\\d+) errors")
            .matcher(out);
    int runs = 0;
    while (m.find()) {
      runs++;
      assertThat(Long.parseLong(m.group(2)))
          .as("the first push after the kill came after the standby served")
          .isGreaterThanOrEqualTo(Long.parseLong(m.group(1)));
      assertThat(m.group(3)).isEqualTo("0");
    }
    assertThat(runs).as(out).isEqualTo(2);
    assertThat(out)
        .contains("3 s/warm")
        .containsPattern("warm-up off +1 ")
        .containsPattern("warm-up on +1 ");
  }

  @Test
  void refusesOptionsThatDoNotFit() {
    assertThat(Cli.run("bench", "--scenario", "takeover", "--store", "file:///tmp/x.json").err())
        .contains("goes with none of");
    assertThat(Cli.run("bench", "--scenario", "takeover", "--clients", "1,2").err())
        .contains("one --clients value");
    assertThat(Cli.run("bench", "--scenario", "takeover", "--runs", "0").err())
        .contains("--runs 1..100");
    assertThat(
            Cli.run("bench", "--scenario", "takeover", "--duration", "1s", "--window", "2s").err())
        .contains("--window from 100ms");
  }
}
