package dev.casq.broker;

import static dev.casq.broker.BrokerApiTest.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.MemoryObjectStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The JSON behind the dashboard page: the overview with its charts, and the job table. */
class DashboardApiTest {
  private static final String TOKEN = "dash-token-81f2";

  private static CasqBroker broker(String store) {
    return CasqBroker.builder()
        .queue("mem://" + store + "/q.json")
        .listen("127.0.0.1", 0)
        .token(TOKEN)
        .dashboardSampleInterval(Duration.ofMillis(100))
        .build()
        .start();
  }

  @Test
  void overviewShowsCountsTotalsTheBrokerItsEpochsAndChartsThatMoveWithPushes() {
    String store = "dash-" + UUID.randomUUID();
    try (CasqBroker broker = broker(store)) {
      Http http = new Http(broker.address(), TOKEN);
      // a point before the pushes, so that the rates have a sample to start from
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  http.get("/dashboard/overview")
                      .json()
                      .get("queues")
                      .get(0)
                      .get("series")
                      .get("t")
                      .size(),
              n -> n > 0);
      for (int i = 0; i < 12; i++) {
        assertThat(http.post("/v1/queues/q/jobs", "{\"payload\":" + i + "}").status())
            .isEqualTo(201);
      }

      JsonNode q =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(
                  () -> http.get("/dashboard/overview").json().get("queues").get(0),
                  n ->
                      max(n.get("series").get("push")) > 0
                          && last(n.get("series").get("ready")) == 12);

      assertThat(q.get("name").asText()).isEqualTo("q");
      assertThat(q.get("status").asText()).isEqualTo("serving");
      assertThat(q.get("current").get("ready").asInt()).isEqualTo(12);
      assertThat(q.get("current").get("counters").get("pushed").asInt()).isEqualTo(12);
      assertThat(q.get("broker").get("id").asText()).isEqualTo(broker.brokerId());
      JsonNode claimed = q.get("epochs").get(q.get("epochs").size() - 1);
      assertThat(claimed.get("event").asText()).isEqualTo("claimed");
      assertThat(claimed.get("broker").get("epoch").asLong())
          .isEqualTo(broker.broker("q").orElseThrow().epoch());
      JsonNode series = q.get("series");
      int points = series.get("t").size();
      for (String line :
          List.of(
              "push",
              "claim",
              "complete",
              "fail",
              "ready",
              "oldestReadyAge",
              "commitMillis",
              "batchSize")) {
        assertThat(series.get(line).size()).as(line).isEqualTo(points);
      }
      assertThat(max(series.get("commitMillis"))).isPositive();
      assertThat(max(series.get("batchSize"))).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void epochHistoryShowsTheBrokerFoundBeforeTheClaimAndAHandOver() {
    String store = "dash-" + UUID.randomUUID();
    String first;
    try (CasqBroker a = broker(store)) {
      first = a.brokerId();
    }
    try (CasqBroker b = broker(store)) {
      Http http = new Http(b.address(), TOKEN);
      JsonNode epochs = http.get("/dashboard/overview").json().get("queues").get(0).get("epochs");
      assertThat(epochs).hasSize(2);
      assertThat(epochs.get(0).get("event").asText()).isEqualTo("found");
      assertThat(epochs.get(0).get("broker").get("id").asText()).isEqualTo(first);
      assertThat(epochs.get(0).get("broker").get("epoch").asLong()).isEqualTo(1);
      assertThat(epochs.get(1).get("event").asText()).isEqualTo("claimed");
      assertThat(epochs.get(1).get("broker").get("id").asText()).isEqualTo(b.brokerId());
      assertThat(epochs.get(1).get("broker").get("epoch").asLong()).isEqualTo(2);

      b.handOver(List.of(), "broker-next", "http://127.0.0.1:1");

      JsonNode q = http.get("/dashboard/overview").json().get("queues").get(0);
      assertThat(q.get("status").asText()).isEqualTo("handed_over");
      JsonNode last = q.get("epochs").get(2);
      assertThat(last.get("event").asText()).isEqualTo("handed_over");
      assertThat(last.get("broker").get("id").asText()).isEqualTo("broker-next");
      assertThat(last.get("broker").get("epoch").asLong()).isEqualTo(3);
      assertThat(q.get("current").get("ready").asInt()).isZero(); // no engine is read any more
    }
  }

  @Test
  void jobTableFiltersSearchesAndPagesLiveAndDeadJobs() {
    String store = "dash-" + UUID.randomUUID();
    try (CasqBroker broker = broker(store)) {
      Http http = new Http(broker.address(), TOKEN);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        ids.add(
            http.post("/v1/queues/q/jobs", "{\"payload\":{\"order\":\"ord-" + i + "\"}}")
                .json()
                .get("id")
                .asText());
      }
      String deadId =
          http.post("/v1/queues/q/jobs", "{\"payload\":\"poison\",\"maxAttempts\":1}")
              .json()
              .get("id")
              .asText();
      // claim everything, fail the poison job for good, give the others back
      JsonNode claimed =
          http.post("/v1/queues/q/claim", "{\"worker\":\"w1\",\"limit\":10}").json().get("jobs");
      for (JsonNode j : claimed) {
        String id = j.get("id").asText();
        String token = j.get("leaseToken").asText();
        String action = id.equals(deadId) ? "fail" : (id.equals(ids.get(0)) ? null : "release");
        if (action != null) {
          String body =
              action.equals("fail")
                  ? "{\"leaseToken\":\"" + token + "\",\"error\":\"boom: bad input\"}"
                  : "{\"leaseToken\":\"" + token + "\"}";
          assertThat(http.post("/v1/queues/q/jobs/" + id + "/" + action, body).status())
              .isEqualTo(200);
        }
      }

      JsonNode page1 = http.get("/dashboard/jobs?queue=q&limit=3").json();
      assertThat(page1.get("more").asBoolean()).isTrue();
      assertThat(idsOf(page1)).containsExactlyElementsOf(ids.subList(0, 3));
      JsonNode page3 = http.get("/dashboard/jobs?queue=q&limit=3&offset=6").json();
      assertThat(idsOf(page3)).containsExactly(ids.get(6), deadId); // live first, then dead
      assertThat(page3.get("more").asBoolean()).isFalse();

      JsonNode found = http.get("/dashboard/jobs?queue=q&q=ORD-4").json();
      assertThat(idsOf(found)).containsExactly(ids.get(4));
      assertThat(found.get("jobs").get(0).get("payload").asText())
          .isEqualTo("{\"order\":\"ord-4\"}");

      JsonNode leased = http.get("/dashboard/jobs?queue=q&status=leased").json().get("jobs");
      assertThat(leased).hasSize(1);
      assertThat(leased.get(0).get("id").asText()).isEqualTo(ids.get(0));
      assertThat(leased.get(0).get("worker").asText()).isEqualTo("w1");
      assertThat(leased.get(0).get("leaseExpiresAt").asText()).isNotEmpty();
      assertThat(idsOf(http.get("/dashboard/jobs?queue=q&q=w1").json()))
          .containsExactly(ids.get(0));

      JsonNode dead = http.get("/dashboard/jobs?queue=q&status=dead").json().get("jobs");
      assertThat(dead).hasSize(1);
      assertThat(dead.get(0).get("id").asText()).isEqualTo(deadId);
      assertThat(dead.get(0).get("lastError").asText()).isEqualTo("boom: bad input");
    }
  }

  @Test
  void badQueriesAndMissingTokensAreRefusedAndChangeNothing() {
    String store = "dash-" + UUID.randomUUID();
    try (CasqBroker broker = broker(store)) {
      Http anonymous = new Http(broker.address());
      Http http = anonymous.withToken(TOKEN);
      http.post("/v1/queues/q/jobs", "{\"payload\":1}");
      long revision = revision(store);

      expect(anonymous.get("/dashboard/overview"), 401, "unauthorized", "Bearer");
      expect(anonymous.withToken("wrong").get("/dashboard/jobs?queue=q"), 401, "unauthorized", "");
      expect(http.get("/dashboard/jobs"), 400, "invalid_request", "?queue=");
      expect(http.get("/dashboard/jobs?queue=nope"), 404, "unknown_queue", "nope");
      expect(http.get("/dashboard/jobs?queue=q&status=lost"), 400, "invalid_request", "dead");
      expect(http.get("/dashboard/jobs?queue=q&limit=0"), 400, "invalid_request", "limit");
      expect(http.get("/dashboard/jobs?queue=q&limit=201"), 400, "invalid_request", "200");
      expect(http.get("/dashboard/jobs?queue=q&offset=-1"), 400, "invalid_request", "offset");
      expect(
          http.get("/dashboard/jobs?queue=q&q=" + "x".repeat(201)), 400, "invalid_request", "200");
      assertThat(http.post("/dashboard/overview", "{}").status()).isEqualTo(405);
      assertThat(revision(store)).isEqualTo(revision);
      assertThat(anonymous.get("/").text()).contains("function deadLetters(");
    }
  }

  private static List<String> idsOf(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("jobs").forEach(j -> ids.add(j.get("id").asText()));
    return ids;
  }

  private static double max(JsonNode line) {
    double m = 0;
    for (JsonNode v : line) {
      if (!v.isNull()) {
        m = Math.max(m, v.asDouble());
      }
    }
    return m;
  }

  private static double last(JsonNode line) {
    return line.size() == 0 ? -1 : line.get(line.size() - 1).asDouble();
  }

  private static long revision(String store) {
    return StateCodec.decode(MemoryObjectStore.named(store).read("q.json").orElseThrow().data())
        .revision();
  }
}
