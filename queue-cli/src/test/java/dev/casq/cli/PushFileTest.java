package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.ClaimRequest;
import dev.casq.api.JobInfo;
import dev.casq.api.LeasedJob;
import dev.casq.broker.CasqBroker;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.QueueOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code casq push --file} against a real broker on file:// whose queue keeps at most 100 ready
 * jobs in its object (so a load crosses many segments and many batch requests).
 */
class PushFileTest {
  @TempDir Path dir;
  private String store;
  private CasqBroker broker;

  @BeforeEach
  void start() {
    store = dir.resolve("bulk.json").toUri().toString();
    broker =
        CasqBroker.builder()
            .queue(store)
            .listen("127.0.0.1", 0)
            .queueOptions(
                QueueOptions.builder().headMaxReadyJobs(100).maxPayloadBytes(1000).build())
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

  private CasqClient client() {
    return CasqClient.builder().storeUri(store).takeover(TakeoverPolicy.NONE).build();
  }

  private Path file(List<String> lines) throws IOException {
    Path f = dir.resolve("jobs.jsonl");
    Files.write(f, lines, StandardCharsets.UTF_8);
    return f;
  }

  private long pushed() {
    try (CasqClient c = client()) {
      return c.queue(JsonNode.class).stats().counters().pushed();
    }
  }

  /** Claims every ready job, in claim order; returns their payloads as written. */
  private List<String> drainPayloads(ClientQueue<JsonNode> q) {
    List<String> out = new ArrayList<>();
    while (true) {
      List<LeasedJob<JsonNode>> jobs =
          q.claim(new ClaimRequest("t", Duration.ofMinutes(5), 1000, null), Duration.ZERO);
      if (jobs.isEmpty()) {
        return out;
      }
      for (LeasedJob<JsonNode> j : jobs) {
        out.add(j.payload().toString());
      }
    }
  }

  @Test
  void everyLineBecomesAJobInLineOrderAcrossBatchesAndSegments() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 2_500; i++) {
      lines.add("{\"n\":" + i + "}");
    }
    lines.add(""); // blank lines are skipped
    lines.add("{\"n\":2500}");
    Cli.Result r =
        Cli.run("push", "--store", store, "--file", file(lines).toString(), "--in-flight", "1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("2,501 jobs pushed");
    try (CasqClient c = client()) {
      ClientQueue<JsonNode> q = c.queue(JsonNode.class);
      assertThat(q.stats().ready()).isEqualTo(2_501);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i <= 2_500; i++) {
        expected.add("{\"n\":" + i + "}");
      }
      assertThat(drainPayloads(q)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void requestLinesCarryTheirOptionsAndPayloadsStayAsWritten() throws Exception {
    Path f =
        file(
            List.of(
                "{\"payload\":{\"b\":1,\"a\":123456789012345678901234567890.5},\"key\":\"k-1\","
                    + "\"priority\":7,\"type\":\"mail\",\"maxAttempts\":3}",
                "{\"payload\":\"later\",\"delay\":\"1h\"}",
                "{\"payload\":1,\"extra\":true}", // not only request fields: a payload
                "[1, 2, 3]"));
    Cli.Result r = Cli.run("push", "--store", store, "--file", f.toString(), "--priority", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    try (CasqClient c = client()) {
      ClientQueue<JsonNode> q = c.queue(JsonNode.class);
      JobInfo<JsonNode> first = q.get("j1");
      assertThat(first.key()).isEqualTo("k-1");
      assertThat(first.priority()).isEqualTo(7);
      assertThat(first.type()).isEqualTo("mail");
      assertThat(first.maxAttempts()).isEqualTo(3);
      JobInfo<JsonNode> later = q.get("j2");
      assertThat(later.priority()).isEqualTo(2); // the command's option
      assertThat(later.runAt()).isAfter(Instant.now().plusSeconds(3000));
      assertThat(q.get("j3").payload().toString()).isEqualTo("{\"payload\":1,\"extra\":true}");
      assertThat(q.get("j4").key()).as("no key unless --key-prefix").isNull();
      // the payload is stored byte for byte (key order, a number beyond double precision)
      assertThat(Files.readString(dir.resolve("bulk.json")))
          .contains("\"payload\":{\"b\":1,\"a\":123456789012345678901234567890.5}");
      LeasedJob<JsonNode> best =
          q.claim(new ClaimRequest("t", Duration.ofMinutes(1), 1, null), Duration.ZERO)
              .get(0); // priority 7 comes first
      assertThat(best.id()).isEqualTo("j1");
      assertThat(best.payloadJson()).isEqualTo("{\"b\":1,\"a\":123456789012345678901234567890.5}");
      assertThat(q.get("j1").payloadJson()).isEqualTo(best.payloadJson());
    }
  }

  @Test
  void aBadLineIsNamedAndNothingIsPushed() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      lines.add("{\"n\":" + i + "}");
    }
    lines.set(1_203, "{\"n\": oops}");
    Cli.Result r = Cli.run("push", "--store", store, "--file", file(lines).toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("line 1204")
        .contains("not valid JSON")
        .contains("nothing was pushed");
    assertThat(pushed()).isZero();

    lines.set(1_203, "{\"payload\":1,\"priority\":5000000}");
    r = Cli.run("push", "--store", store, "--file", file(lines).toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("line 1204").contains("\"priority\" must be from");
    lines.set(1_203, "{\"a\":1} {\"b\":2}");
    r = Cli.run("push", "--store", store, "--file", file(lines).toString());
    assertThat(r.err()).contains("line 1204").contains("more than one JSON value");
    assertThat(pushed()).isZero();
  }

  @Test
  void aJobTheBrokerRefusesIsNamedAndTheOthersArePushed() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      lines.add("{\"n\":" + i + "}");
    }
    lines.set(1_100, "\"" + "x".repeat(2_000) + "\""); // over this broker's 1000-byte limit
    Cli.Result r = Cli.run("push", "--store", store, "--file", file(lines).toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains("line 1101 was refused")
        .contains("1,199 jobs pushed")
        .contains("1 lines refused");
    assertThat(pushed()).isEqualTo(1_199);
  }

  @Test
  void aSecondRunWithTheSameKeyPrefixPushesNothingTwice() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      lines.add("{\"n\":" + i + "}");
    }
    Path f = file(lines);
    Cli.Result first =
        Cli.run(
            "push",
            "--store",
            store,
            "--file",
            f.toString(),
            "--key-prefix",
            "import-7:",
            "--from-line",
            "1001");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(pushed()).isEqualTo(500);
    Cli.Result all =
        Cli.run("push", "--store", store, "--file", f.toString(), "--key-prefix", "import-7:");
    assertThat(all.exit()).as(all.err()).isZero();
    assertThat(all.err()).contains("1,500 jobs pushed").contains("500 of them already there");
    assertThat(pushed()).isEqualTo(1_500);
    try (CasqClient c = client()) {
      assertThat(c.queue(JsonNode.class).get("j1").key()).isEqualTo("import-7:1001");
    }
  }

  @Test
  void lineFormatsCanBeForced() throws Exception {
    Path f = file(List.of("{\"payload\":{\"x\":1},\"key\":\"a\"}"));
    Cli.Result asPayload =
        Cli.run("push", "--store", store, "--file", f.toString(), "--lines", "payload");
    assertThat(asPayload.exit()).as(asPayload.err()).isZero();
    try (CasqClient c = client()) {
      assertThat(c.queue(JsonNode.class).get("j1").payload().get("key").asText()).isEqualTo("a");
    }
    Cli.Result strict =
        Cli.run(
            "push",
            "--store",
            store,
            "--file",
            file(List.of("{\"payload\":1}", "{\"to\":\"x\"}")).toString(),
            "--lines",
            "request");
    assertThat(strict.exit()).isEqualTo(1);
    assertThat(strict.err()).contains("line 2: a push request needs \"payload\"");
    assertThat(pushed()).isEqualTo(1);
  }

  @Test
  void withoutALiveBrokerTheCommandHostsOneForTheLoad() throws Exception {
    broker.close(); // resigns: no live broker any more
    broker = null;
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1_500; i++) {
      lines.add("{\"n\":" + i + "}");
    }
    Cli.Result r =
        Cli.run(
            "push",
            "--store",
            store,
            "--file",
            file(lines).toString(),
            "--store-property",
            "file.fsync=false");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.err()).contains("1,500 jobs pushed");
    Cli.Result stats = Cli.run("stats", "--store", store, "--json");
    com.fasterxml.jackson.databind.JsonNode n =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(stats.out());
    assertThat(n.get("source").asText()).as("the hosted broker resigned").isEqualTo("storage");
    assertThat(n.get("ready").asLong()).isEqualTo(1_500);
  }

  @Test
  void usageErrors() throws Exception {
    Path f = file(List.of("1"));
    assertThat(Cli.run("push", "--store", store, "--file", f.toString(), "{}").err())
        .contains("not both");
    assertThat(Cli.run("push", "--store", store, "--file", f.toString(), "--key", "k").err())
        .contains("--key names one job");
    assertThat(Cli.run("push", "--store", store).err()).contains("--file FILE");
    Cli.Result fileOnly = Cli.run("push", "--store", store, "--key-prefix", "p", "{}");
    assertThat(fileOnly.exit()).isEqualTo(2);
    assertThat(fileOnly.err()).contains("--key-prefix goes with --file");
    Cli.Result missing =
        Cli.run("push", "--store", store, "--file", dir.resolve("nope.jsonl").toString());
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("no such file");
    Files.write(dir.resolve("latin1.jsonl"), new byte[] {'"', (byte) 0xe9, '"', '\n'});
    assertThat(
            Cli.run("push", "--store", store, "--file", dir.resolve("latin1.jsonl").toString())
                .err())
        .contains("is not UTF-8");
    assertThat(pushed()).isZero();
  }

  @Test
  void progressText() {
    assertThat(ProgressLine.text(412_000, 1_000_000, 10))
        .isEqualTo("412,000 / 1,000,000 jobs (41%), 41,200 jobs/s");
  }
}
