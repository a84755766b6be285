package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.api.ClaimRequest;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.broker.CasqBroker;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.QueueOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code casq jobs} against a real broker on a file:// store that archives finished jobs at once.
 */
class JobsCommandTest {
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
            .queueOptions(QueueOptions.builder().archive(1, Duration.ofMillis(1)).build())
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  /** j1 and j3 dead (archived), j2 completed, j4 queued. */
  private void someDeadJobs() {
    try (CasqClient c =
        CasqClient.builder().storeUri(store).takeover(TakeoverPolicy.NONE).build()) {
      ClientQueue<JsonNode> q = c.queue(JsonNode.class);
      PushOptions once = PushOptions.none().maxAttempts(1);
      q.push(JSON.createObjectNode().put("to", "a").put("n", 1.10), once.type("mail"));
      q.push(JSON.createObjectNode().put("to", "b"), once.type("mail"));
      q.push(JSON.createObjectNode().put("to", "c"), once.type("sms"));
      List<LeasedJob<JsonNode>> got = q.claim(new ClaimRequest("w", null, 3, null), Duration.ZERO);
      q.fail(got.get(0), "smtp said 550\nmailbox unavailable");
      q.complete(got.get(1));
      q.failPermanently(got.get(2), "bad number");
      q.push(JSON.createObjectNode().put("to", "d"));
      await().atMost(Duration.ofSeconds(20)).until(() -> q.stats().finishedPendingArchive() == 0);
    }
  }

  @Test
  void listGetRetryCancelAndPurgeDeadJobs() throws Exception {
    someDeadJobs();
    Cli.Result list = Cli.run("jobs", "list", "--store", store, "--status", "dead");
    assertThat(list.exit()).as(list.err()).isZero();
    assertThat(list.out())
        .contains("ID", "STATUS", "LAST ERROR")
        .contains("j1", "dead", "mail", "1/1", "smtp said 550 mailbox unavailable")
        .contains("j3", "sms", "bad number")
        .doesNotContain("j2 ", "j4 ")
        .contains("2 jobs");

    Cli.Result page = Cli.run("jobs", "list", "--store", store, "--limit", "1");
    assertThat(page.exit()).as(page.err()).isZero();
    assertThat(page.out()).contains("j1").contains("1 job; more after it: --cursor j1");
    Cli.Result next = Cli.run("jobs", "list", "--store", store, "--limit", "1", "--cursor", "j1");
    assertThat(next.out()).contains("j2").doesNotContain("j1 ");
    Cli.Result all = Cli.run("jobs", "list", "--store", store, "--limit", "1", "--all", "--json");
    assertThat(all.out().strip().split("\n")).hasSize(4);
    assertThat(JSON.readTree(all.out().strip().split("\n")[3]).get("status").asText())
        .isEqualTo("queued");

    Cli.Result get = Cli.run("jobs", "get", "--store", store, "j1");
    assertThat(get.exit()).as(get.err()).isZero();
    JsonNode j1 = JSON.readTree(get.out());
    assertThat(j1.get("status").asText()).isEqualTo("dead");
    assertThat(j1.get("lastError").asText()).isEqualTo("smtp said 550\nmailbox unavailable");
    assertThat(j1.get("attempts").asInt()).isEqualTo(1);
    assertThat(get.out()).contains("1.1"); // the payload as stored

    Cli.Result retry = Cli.run("jobs", "retry", "--store", store, "j1");
    assertThat(retry.exit()).as(retry.err()).isZero();
    assertThat(retry.out()).contains("retried j1 (queued again)");
    assertThat(
            JSON.readTree(Cli.run("jobs", "get", "--store", store, "j1").out())
                .get("status")
                .asText())
        .isEqualTo("queued");

    Cli.Result notDead = Cli.run("jobs", "retry", "--store", store, "j2");
    assertThat(notDead.exit()).isEqualTo(1);
    assertThat(notDead.err()).contains("j2 is completed, not dead");

    Cli.Result purge = Cli.run("jobs", "purge", "--store", store, "--all", "--type", "sms");
    assertThat(purge.exit()).as(purge.err()).isZero();
    assertThat(purge.out()).contains("purged 1 dead job");
    Cli.Result gone = Cli.run("jobs", "get", "--store", store, "j3");
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).contains("j3");
    assertThat(Cli.run("jobs", "list", "--store", store, "--status", "dead").out())
        .contains("0 jobs");

    Cli.Result cancel = Cli.run("jobs", "cancel", "--store", store, "j1", "j4");
    assertThat(cancel.exit()).as(cancel.err()).isZero();
    assertThat(cancel.out()).contains("cancelled j1", "cancelled j4");
  }

  @Test
  void invalidValuesExitWith2BeforeAnyRequest() {
    for (String[] args :
        List.of(
            new String[] {"jobs", "list", "--store", store, "--limit", "0"},
            new String[] {"jobs", "list", "--store", store, "--status", "bogus"},
            new String[] {"jobs", "list", "--store", store, "--created-from", "yesterday"},
            new String[] {"jobs", "retry", "--store", store},
            new String[] {"jobs", "retry", "--store", store, "--all", "j1"},
            new String[] {"jobs", "purge", "--store", store, "j1", "--type", "x"},
            new String[] {"jobs", "cancel", "--store", store},
            new String[] {"jobs", "get", "--store", store})) {
      Cli.Result r = Cli.run(args);
      assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
      assertThat(r.err()).startsWith("casq");
    }
    Cli.Result none = Cli.run("jobs");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("missing command");
  }
}
