package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code casq bench --scenario backlog}, short: two broker processes (no segments, and segments
 * after 50 ready jobs), 8 connections of the Java client for 3 windows of 1 s each.
 */
class BacklogScenarioTest {
  @Test
  void growsABacklogOnFreshBrokersAndReportsEachWindowAndTheEnd() {
    Cli.Result r =
        Cli.run(
            "bench",
            "--scenario",
            "backlog",
            "--clients",
            "8",
            "--duration",
            "3s",
            "--window",
            "1s",
            "--head-max-ready-jobs",
            "0,50",
            "--broker-jvm-options",
            "-XX:TieredStopAtLevel=1 -Xmx256m",
            "--store-property",
            "file.fsync=false");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    String out = r.out();
    assertThat(out)
        .contains("8 connections (Java client)")
        .contains("-XX:TieredStopAtLevel=1 -Xmx256m -Dcasq.headMaxReadyJobs=0")
        .contains("-Dcasq.headMaxReadyJobs=50");
    // one row per window and variant
    assertThat(out.lines().filter(l -> l.matches(" +[123]s +[\\d,]+ pushes/s +[\\d,]+ pushed")))
        .hasSize(6);
    Matcher end =
        Pattern.compile(
                "end: ([\\d,]+) pending, queue object .*, ([\\d,]+) segments," + " 0 errors")
            .matcher(out);
    List<long[]> ends = new java.util.ArrayList<>();
    while (end.find()) {
      ends.add(new long[] {num(end.group(1)), num(end.group(2))});
    }
    assertThat(ends).hasSize(2);
    assertThat(ends.get(0)[0]).as("pending without segments").isPositive();
    assertThat(ends.get(0)[1]).as("no segments without a bound").isZero();
    assertThat(ends.get(1)[0]).as("pending with segments").isGreaterThan(50);
    assertThat(ends.get(1)[1]).as("segments with a bound of 50").isPositive();
    assertThat(out)
        .contains("no segments (headMaxReadyJobs=0)")
        .contains("segments (headMaxReadyJobs=50)")
        .contains("last/best");
  }

  @Test
  void refusesOptionsThatDoNotFit() {
    assertThat(Cli.run("bench", "--scenario", "backlog", "--store", "file:///tmp/x.json").err())
        .contains("goes with none of");
    assertThat(Cli.run("bench", "--scenario", "backlog", "--clients", "1,2").err())
        .contains("one --clients value");
    assertThat(
            Cli.run("bench", "--scenario", "backlog", "--duration", "2s", "--window", "5s").err())
        .contains("--window must be");
  }

  private static long num(String s) {
    return Long.parseLong(s.replace(",", ""));
  }
}
