package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Usage errors exit 2 with a clear message; other errors exit 1 with one line. */
class CliUsageTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"broker", "push", "work", "stats", "inspect", "demo", "bench"})
  void everyCommandHasHelp(String command) {
    Cli.Result r = Cli.run(command, "--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Usage: casq " + command).contains("--help");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void statsHelpTellsTheDefaultsStatsUses() {
    String help = Cli.run("stats", "--help").out().replaceAll("\\s+", " ");
    assertThat(help)
        .contains("Default: " + StatsCommand.DEFAULT_DEADLINE.toSeconds() + "s.")
        .contains(
            StatsCommand.DEFAULT_TAKEOVER
                + " (read the state object from storage, the"
                + " default here)")
        .doesNotContain("Default: 30s")
        .doesNotContain("in-process (start one in this process," + " the default)");
    // the other client commands keep theirs
    assertThat(Cli.run("push", "--help").out().replaceAll("\\s+", " "))
        .contains("Default: 30s")
        .contains("in-process (start one in this process, the default)");
  }

  @Test
  void topLevelHelpListsTheCommands() {
    Cli.Result r = Cli.run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("broker", "push", "work", "stats", "inspect", "demo", "bench", "CASQ_STORE");
  }

  @Test
  void noCommandIsAUsageError() {
    Cli.Result r = Cli.run();
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("missing command").contains("Usage: casq");
  }

  @Test
  void unknownCommandIsAUsageError() {
    Cli.Result r = Cli.run("frobnicate");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("frobnicate");
  }

  @Test
  void pushWithoutPayloadIsAUsageError() {
    Cli.Result r = Cli.run("push", "--store", uri("q.json"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter: 'JSON'").contains("casq push --help");
  }

  @Test
  void badDurationIsAUsageError() {
    Cli.Result r = Cli.run("push", "--store", uri("q.json"), "--delay", "5x", "{}");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("'5x' is not a duration");
  }

  @Test
  void badStorePropertyIsAUsageError() {
    Cli.Result r = Cli.run("inspect", "--store", uri("q.json"), "--store-property", "novalue");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("novalue");
  }

  @Test
  void noStoreIsAUsageError() {
    Cli.Result r = Cli.run("push", "{}");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no queue given").contains("CASQ_STORE");
    assertThat(Cli.run("stats").err()).contains("no queue given");
    assertThat(Cli.run("inspect").exit()).isEqualTo(2);
    assertThat(Cli.run("broker").err()).contains("no queue given");
  }

  @Test
  void workWithoutCommandIsAUsageError() {
    Cli.Result r = Cli.run("work", "--store", uri("q.json"));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("COMMAND");
  }

  @Test
  void aShutdownTimeoutThatIsNotPositiveIsAUsageError() {
    Cli.Result r = Cli.run("push", "--store", uri("q.json"), "--shutdown-timeout", "0s", "{}");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--shutdown-timeout");
    r = Cli.run("work", "--store", uri("q.json"), "--shutdown-timeout", "0s", "--", "true");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--shutdown-timeout");
    assertThat(dir.resolve("q.json")).doesNotExist();
  }

  @Test
  void badTakeoverIsAUsageError() {
    Cli.Result r = Cli.run("push", "--store", uri("q.json"), "--takeover", "maybe", "{}");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--takeover 'maybe'");
  }

  @Test
  void invalidClientValuesExit2BeforeAnythingIsRead() {
    Path lines = dir.resolve("no-such-lines.jsonl"); // reading it would fail with exit 1
    Cli.Result r =
        Cli.run(
            "push", "--store", uri("q.json"), "--file", lines.toString(), "--takeover", "maybe");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--takeover 'maybe'");
    r =
        Cli.run(
            "push", "--store", uri("q.json"), "--takeover", "none", "--stale-after", "0s", "{}");
    assertThat(r.exit()).isEqualTo(2);
    r =
        Cli.run(
            Map.of("CASQ_CLIENT_STALE_AFTER", "soon"),
            "work",
            "--store",
            uri("q.json"),
            "--",
            "true");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("CASQ_CLIENT_STALE_AFTER");
    r =
        Cli.run(
            "push",
            "--store",
            uri("q.json"),
            "--takeover",
            "none",
            "--shutdown-timeout",
            "-1s",
            "{}");
    assertThat(r.exit()).isEqualTo(2);
    r = Cli.run("stats", "--store", uri("q.json"), "--takeover", "maybe"); // not read first
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--takeover 'maybe'").doesNotContain("no queue object");
    assertThat(dir.resolve("q.json")).doesNotExist();
  }

  @Test
  void pushWithoutTakeoverFailsAtOnceWhenNoBrokerIsLive() {
    Cli.Result r = Cli.run("push", "--store", uri("q.json"), "--takeover", "none", "{}");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("no live broker for " + uri("q.json") + " (no broker recorded)")
        .contains("nothing pushed");
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(dir.resolve("q.json")).doesNotExist();
  }

  @Test
  void deadlineAndRunAtTogetherIsAUsageError() {
    Cli.Result r =
        Cli.run(
            "push",
            "--store",
            uri("q.json"),
            "--delay",
            "5s",
            "--run-at",
            "2030-01-01T00:00:00Z",
            "{}");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--delay or --run-at");
  }

  @Test
  void unknownSchemeIsOneLineWithExit1() {
    Cli.Result r = Cli.run("inspect", "--store", "nosuch://bucket/q.json");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("casq: ")
        .contains("nosuch")
        .contains("file")
        .doesNotContain("\tat ");
    assertThat(r.err().strip().lines()).hasSize(1);
  }

  @Test
  void missingObjectIsOneLineWithExit1() {
    Cli.Result r = Cli.run("inspect", "--store", uri("absent.json"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("no queue object").doesNotContain("Exception");
  }

  @Test
  void foreignObjectIsRefusedAndUntouched() throws Exception {
    Path f = dir.resolve("foreign.json");
    Files.writeString(f, "{\"hello\": \"world\"}");
    Cli.Result r = Cli.run("stats", "--store", f.toUri().toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("not a casq queue");
    assertThat(Files.readString(f)).isEqualTo("{\"hello\": \"world\"}");
  }

  @Test
  void verbosePrintsTheStackTrace() {
    Cli.Result r = Cli.run("inspect", "--verbose", "--store", "nosuch://bucket/q.json");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("\tat ");
  }

  private String uri(String name) {
    return dir.resolve(name).toUri().toString();
  }
}
