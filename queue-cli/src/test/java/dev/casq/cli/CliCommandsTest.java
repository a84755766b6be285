package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.api.JobInfo;
import dev.casq.api.JobStatus;
import dev.casq.broker.CasqBroker;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerDiscovery;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands against a real broker on a file:// store, started by the test. */
class CliCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private String store;
  private CasqBroker broker;

  @BeforeEach
  void start() {
    store = dir.resolve("emails.json").toUri().toString();
    broker =
        CasqBroker.builder()
            .queue(store)
            .listen("127.0.0.1", 0)
            .storeProperties(Map.of("file.fsync", "false"))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  private ClientQueue<JsonNode> queue(CasqClient c) {
    return c.queue(JsonNode.class);
  }

  private CasqClient client() {
    return CasqClient.builder().storeUri(store).takeover(TakeoverPolicy.NONE).build();
  }

  @Test
  void pushPrintsTheJobIdAndPassesOptions() throws Exception {
    Cli.Result r =
        Cli.run(
            "push",
            "--store",
            store,
            "--key",
            "k1",
            "--priority",
            "5",
            "--delay",
            "1h",
            "--type",
            "mail",
            "--max-attempts",
            "3",
            "{\"to\":\"ada@example.com\"}");
    assertThat(r.exit()).as(r.err()).isZero();
    String id = r.out().strip();
    assertThat(id).matches("j\\d+");
    try (CasqClient c = client()) {
      JobInfo<JsonNode> info = queue(c).get(id);
      assertThat(info.payload().get("to").asText()).isEqualTo("ada@example.com");
      assertThat(info.priority()).isEqualTo(5);
      assertThat(info.type()).isEqualTo("mail");
      assertThat(info.key()).isEqualTo("k1");
      assertThat(info.maxAttempts()).isEqualTo(3);
      assertThat(info.runAt()).isAfter(Instant.now().plusSeconds(3000));
    }
    Cli.Result again = Cli.run("push", "--store", store, "--key", "k1", "{}");
    assertThat(again.exit()).isZero();
    assertThat(again.out().strip()).isEqualTo(id);
    assertThat(again.err()).contains("exists already");
  }

  @Test
  void storeComesFromTheEnvironment() {
    Cli.Result r = Cli.run(Map.of("CASQ_STORE", store), "push", "[1,2,3]");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().strip()).matches("j\\d+");
  }

  @Test
  void invalidJsonIsRejectedWithExit1() {
    Cli.Result r = Cli.run("push", "--store", store, "{not json");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("not valid JSON");
  }

  @Test
  void statsFromTheBrokerAsTextAndJson() throws Exception {
    Cli.run("push", "--store", store, "{}");
    Cli.run("push", "--store", store, "{}");
    Cli.Result text = Cli.run("stats", "--store", store);
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("queue      emails")
        .contains("ready      2")
        .contains("source     broker " + broker.address());

    Cli.Result json = Cli.run("stats", "--store", store, "--json");
    assertThat(json.exit()).isZero();
    JsonNode n = JSON.readTree(json.out());
    assertThat(n.get("ready").asLong()).isEqualTo(2);
    assertThat(n.get("counters").get("pushed").asLong()).isEqualTo(2);
    assertThat(n.get("broker").get("address").asText()).isEqualTo(broker.address());
    assertThat(n.get("source").asText()).isEqualTo("broker");
  }

  @Test
  void statsAndInspectWorkWithoutABroker() throws Exception {
    Cli.run("push", "--store", store, "{\"n\":42}");
    broker.close(); // resigns: no live broker any more
    broker = null;

    Cli.Result stats = Cli.run("stats", "--store", store, "--json");
    assertThat(stats.exit()).as(stats.err()).isZero();
    JsonNode n = JSON.readTree(stats.out());
    assertThat(n.get("ready").asLong()).isEqualTo(1);
    assertThat(n.get("source").asText()).isEqualTo("storage");
    Cli.Result text = Cli.run("stats", "--store", store);
    assertThat(text.out())
        .contains("source     storage (the recorded broker resigned)")
        .contains("(epoch 1, resigned)")
        .contains("ready      1");

    Cli.Result inspect = Cli.run("inspect", "--store", store);
    assertThat(inspect.exit()).isZero();
    JsonNode state = JSON.readTree(inspect.out());
    assertThat(state.get("format").asText()).startsWith("casq-queue/");
    assertThat(inspect.out()).contains("\"n\" : 42");
  }

  @Test
  void workRunsTheCommandAndReportsExitStatus() throws Exception {
    String ok = Cli.run("push", "--store", store, "\"ok\"").out().strip();
    String bad = Cli.run("push", "--store", store, "--max-attempts", "1", "\"bad\"").out().strip();

    Cli.Result r =
        Cli.run(
            "work",
            "--store",
            store,
            "--concurrency",
            "2",
            "--max-jobs",
            "2",
            "--poll-wait",
            "1s",
            "--",
            "sh",
            "-c",
            "if grep -q ok; then echo done; else echo \"no good: $CASQ_JOB_ID\" >&2; exit 3; fi");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("1 job(s) completed, 1 failed");
    try (CasqClient c = client()) {
      assertThat(queue(c).get(ok).status()).isEqualTo(JobStatus.COMPLETED);
      JobInfo<JsonNode> failed = queue(c).get(bad);
      assertThat(failed.status()).isEqualTo(JobStatus.DEAD);
      assertThat(failed.lastError()).isEqualTo("exit status 3: no good: " + bad);
    }
  }

  @Test
  void workChecksItsCommandBeforeTakingAJob() throws Exception {
    String id = Cli.run("push", "--store", store, "{}").out().strip();
    Path missing = dir.resolve("no-such-program");
    Cli.Result r = Cli.run("work", "--store", store, "--poll-wait", "1s", "--", missing.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("casq: cannot run COMMAND " + missing + ": no such file");
    Path notExecutable = java.nio.file.Files.writeString(dir.resolve("script.sh"), "exit 0\n");
    r = Cli.run("work", "--store", store, "--", notExecutable.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("not an executable file");
    r = Cli.run("work", "--store", store, "--", "casq-no-such-program-on-path");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("casq-no-such-program-on-path: not found on PATH");
    try (CasqClient c = client()) {
      JobInfo<JsonNode> job = queue(c).get(id);
      assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(job.attempts()).isZero();
      assertThat(queue(c).stats().counters().claimed()).isZero(); // never claimed
    }
  }

  @Test
  void pushWithoutTakeoverFailsAtOnceWhenTheBrokerResigned() throws Exception {
    assertThat(Cli.run("push", "--store", store, "--takeover", "none", "{}").exit()).isZero();
    broker.close(); // resigns the queue
    broker = null;
    Cli.Result r = Cli.run("push", "--store", store, "--takeover", "none", "{}");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("no live broker for " + store)
        .contains("resigned")
        .contains("--takeover none");
    assertThat(r.err()).doesNotContain("within 30s"); // not the deadline running out
  }

  @Test
  void brokerCommandServesUntilStopped() throws Exception {
    broker.close();
    broker = null;
    String other = dir.resolve("other.json").toUri().toString();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicInteger exit = new AtomicInteger(-1);
    StopSignal stop = StopSignal.manual();
    Thread t =
        new Thread(
            () ->
                exit.set(
                    Main.run(
                        new String[] {
                          "broker",
                          "--store",
                          store,
                          "--store",
                          "jobs=" + other,
                          "--listen",
                          "127.0.0.1:0",
                          "--token",
                          "t0ken"
                        },
                        Map.of(),
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        stop)));
    t.start();
    try {
      await().atMost(20, TimeUnit.SECONDS).until(() -> out.toString().contains(" at http://"));
      await().atMost(20, TimeUnit.SECONDS).until(() -> out.toString().contains("/metrics"));
      assertThat(out.toString()).contains("serves emails, jobs at http://127.0.0.1:");
      String address = out.toString().replaceAll("(?s).* at (http://[^\\s]+).*", "$1");
      assertThat(out.toString())
          .contains("dashboard: " + address + "/\n")
          .contains("metrics:   " + address + "/metrics");
      var metrics =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(java.net.URI.create(address + "/metrics"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("casq_queue_jobs{queue=\"jobs\"");

      Cli.Result pushed =
          Cli.run(Map.of("CASQ_TOKEN", "t0ken"), "push", "--store", other, "--queue", "jobs", "{}");
      assertThat(pushed.exit()).as(pushed.err()).isZero();
      Cli.Result refused =
          Cli.run("push", "--store", other, "--queue", "jobs", "--takeover", "none", "{}");
      assertThat(refused.exit()).isEqualTo(1);
      assertThat(refused.err()).contains("token");
    } finally {
      stop.request("test"); // what SIGTERM does: drain, resign, exit 0
      t.join(20_000);
    }
    assertThat(exit.get()).as(err.toString()).isZero();
    try (BrokerDiscovery d = BrokerDiscovery.open(other, Map.of())) {
      BrokerRecord r = d.current().orElseThrow();
      assertThat(BrokerDiscovery.isStale(r, Instant.now(), Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void pushWithoutALiveBrokerStartsOneForThePush() throws Exception {
    broker.close();
    broker = null;
    Cli.Result r = Cli.run("push", "--store", store, "{\"solo\":true}");
    assertThat(r.exit()).as(r.err()).isZero();
    Cli.Result stats = Cli.run("stats", "--store", store, "--json");
    assertThat(JSON.readTree(stats.out()).get("ready").asLong()).isEqualTo(1);
  }

  /**
   * A broker record written by an earlier casq declares no staleness: the client judges it with
   * {@code --stale-after}, else {@code $CASQ_CLIENT_STALE_AFTER}, else 10s. Here the recorded
   * broker is dead and its heartbeat 4s old: stale for 2s, fresh for the default.
   */
  @Test
  void aRecordWithoutDeclaredStalenessIsJudgedWithStaleAfterOrItsEnvironmentVariable()
      throws Exception {
    String legacy = dir.resolve("legacy.json").toUri().toString();

    writeDeadUndeclaredBroker(legacy);
    Cli.Result byDefault = Cli.run("push", "--store", legacy, "--deadline", "2s", "{\"n\":0}");
    assertThat(byDefault.exit()).as(byDefault.out()).isEqualTo(1);
    assertThat(byDefault.err()).contains("could not push");

    writeDeadUndeclaredBroker(legacy);
    Cli.Result byFlag =
        Cli.run("push", "--store", legacy, "--stale-after", "2s", "--deadline", "20s", "{\"n\":1}");
    assertThat(byFlag.exit()).as(byFlag.err()).isZero();

    writeDeadUndeclaredBroker(legacy);
    Cli.Result byEnv =
        Cli.run(
            Map.of("CASQ_CLIENT_STALE_AFTER", "2s"),
            "push",
            "--store",
            legacy,
            "--deadline",
            "20s",
            "{\"n\":2}");
    assertThat(byEnv.exit()).as(byEnv.err()).isZero();

    Cli.Result bad =
        Cli.run(Map.of("CASQ_CLIENT_STALE_AFTER", "soon"), "push", "--store", legacy, "{\"n\":3}");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("CASQ_CLIENT_STALE_AFTER");
  }

  /** The queue object names a broker at a closed port, heartbeat 4s ago, no declared timing. */
  private static void writeDeadUndeclaredBroker(String uri) throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    dev.casq.core.internal.QueueState state = dev.casq.core.internal.QueueState.empty();
    new dev.casq.core.internal.QueueStateMachine(
            dev.casq.core.QueuePolicy.defaults(), dev.casq.core.internal.Tokens.secure())
        .setBroker(
            state,
            new BrokerRecord("gone", "http://127.0.0.1:" + port, 1, Instant.now().minusSeconds(4)));
    java.nio.file.Files.write(
        Path.of(java.net.URI.create(uri)), dev.casq.core.internal.StateCodec.encode(state));
  }

  @Test
  void demoRunsToTheEnd() {
    broker.close();
    broker = null;
    String demo = dir.resolve("demo.json").toUri().toString();
    Cli.Result r =
        Cli.run(
            "demo",
            "--store",
            demo,
            "--store-property",
            "file.fsync=false",
            "--jobs",
            "300",
            "--producers",
            "4",
            "--workers",
            "3");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("done: 300 jobs pushed and 300 completed");
  }

  @Test
  void demoPushesForItsDurationAndExplainsWhatItShows() {
    broker.close();
    broker = null;
    String demo = dir.resolve("demo.json").toUri().toString();
    Cli.Result r =
        Cli.run(
            "demo",
            "--store",
            demo,
            "--store-property",
            "file.fsync=false",
            "--duration",
            "1s",
            "--producers",
            "32",
            "--workers",
            "4");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("32 producers pushing for 1s, 4 workers")
        .containsPattern("dashboard: http://127\\.0\\.0\\.1:\\d+/ ")
        .containsPattern("metrics: +http://127\\.0\\.0\\.1:\\d+/metrics")
        .contains(DemoCommand.COLUMNS);
    java.util.regex.Matcher done =
        java.util.regex.Pattern.compile("done: ([\\d,]+) jobs pushed and ([\\d,]+) completed")
            .matcher(r.out());
    assertThat(done.find()).as(r.out()).isTrue();
    assertThat(done.group(1)).isEqualTo(done.group(2)); // every job pushed was worked off
    assertThat(Long.parseLong(done.group(1).replace(",", ""))).isPositive();
  }

  @Test
  void demoDefaultsToAShortRunWithManyProducers() {
    String help = Cli.run("demo", "--help").out().replaceAll("\\s+", " ");
    assertThat(help)
        .contains("Default: 10s")
        .contains("--producers=N Concurrent producers")
        .contains("Default: 64.");
    assertThat(DemoCommand.DEFAULT_DURATION).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void benchPrintsARowPerClientCount() {
    broker.close();
    broker = null;
    Cli.Result http =
        Cli.run(
            "bench",
            "--store-property",
            "file.fsync=false",
            "--clients",
            "1,4",
            "--duration",
            "500ms",
            "--warmup",
            "200ms",
            "--pending",
            "10");
    assertThat(http.exit()).as(http.err()).isZero();
    assertThat(http.out().lines().filter(l -> l.matches("^(1|4)\\s+[\\d,]+\\s.*"))).hasSize(2);

    Cli.Result embedded =
        Cli.run(
            "bench",
            "--embedded",
            "--store-property",
            "file.fsync=false",
            "--producers",
            "2",
            "--pending",
            "10",
            "--duration",
            "500ms",
            "--warmup",
            "100ms");
    assertThat(embedded.exit()).as(embedded.err()).isZero();
    assertThat(embedded.out().lines().filter(l -> l.matches("^10\\s+2\\s+1\\s+[\\d,]+\\s.*")))
        .hasSize(1);
  }
}
