package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.core.QueueOptions;
import dev.casq.core.QueuePolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dedupe window over the HTTP API: defined by time, and loud when memory is the limit. */
class DedupeWindowOverHttpTest {
  private CasqBroker broker;

  private Http start(QueueOptions options) {
    broker =
        CasqBroker.builder()
            .queue("jobs", "mem://dedupe-" + UUID.randomUUID() + "/jobs.json")
            .queueOptions(options)
            .listen("127.0.0.1", 0)
            .build()
            .start();
    return new Http(broker.address());
  }

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  /** Pushes one keyed job per key (batches of 1000), then claims and completes them all. */
  private static void pushAndComplete(Http http, String prefix, int n) {
    push(http, prefix, n, true);
  }

  private static void push(Http http, String prefix, int n, boolean complete) {
    for (int from = 0; from < n; from += 1000) {
      StringBuilder body = new StringBuilder("{\"jobs\":[");
      int to = Math.min(n, from + 1000);
      for (int i = from; i < to; i++) {
        body.append(i > from ? "," : "")
            .append("{\"payload\":")
            .append(i)
            .append(",\"key\":\"")
            .append(prefix)
            .append(i)
            .append("\"}");
      }
      Http.Reply pushed = http.post("/v1/queues/jobs/jobs/batch", body.append("]}").toString());
      assertThat(pushed.status()).as(pushed.toString()).isEqualTo(200);
      int left = complete ? to - from : 0;
      while (left > 0) {
        Http.Reply claimed =
            http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\",\"limit\":1000}");
        assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
        List<CompletableFuture<Http.Reply>> done = new ArrayList<>();
        for (JsonNode job : claimed.json().get("jobs")) {
          done.add(
              http.postAsync(
                  "/v1/queues/jobs/jobs/" + job.get("id").asText() + "/complete",
                  "{\"leaseToken\":\"" + job.get("leaseToken").asText() + "\"}"));
        }
        for (CompletableFuture<Http.Reply> f : done) {
          assertThat(f.join().status()).isEqualTo(200);
        }
        left -= claimed.json().get("jobs").size();
      }
    }
  }

  @Test
  void aKeyPushedAgainAfter25000OtherKeyedJobsGetsItsOriginalJob() {
    Http http = start(QueueOptions.defaults());
    Http.Reply first = http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"key\":\"K\"}");
    assertThat(first.status()).isEqualTo(201);
    String original = first.json().get("id").asText();
    Http.Reply claimed = http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\"}");
    JsonNode job = claimed.json().get("jobs").get(0);
    assertThat(
            http.post(
                    "/v1/queues/jobs/jobs/" + original + "/complete",
                    "{\"leaseToken\":\"" + job.get("leaseToken").asText() + "\"}")
                .status())
        .isEqualTo(200);

    pushAndComplete(http, "other-", 25_000);

    Http.Reply again = http.post("/v1/queues/jobs/jobs", "{\"payload\":2,\"key\":\"K\"}");
    assertThat(again.json().get("id").asText()).isEqualTo(original);
    assertThat(again.json().get("duplicate").asBoolean()).isTrue();
  }

  @Test
  void atTheMemoryBudgetANewKeyIs429IdempotencyBudgetAndCounted() {
    Http http =
        start(
            QueueOptions.builder()
                .idempotencyMemoryBudget(QueuePolicy.MIN_IDEMPOTENCY_MEMORY_BUDGET)
                .build());
    long capacity = QueuePolicy.MIN_IDEMPOTENCY_MEMORY_BUDGET / QueuePolicy.BYTES_PER_KEY;
    push(http, "k-", (int) capacity, false); // the keys of pending jobs count as well

    Http.Reply refused = http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"key\":\"new\"}");
    BrokerApiTest.expect(refused, 429, "idempotency_budget", "idempotencyMemoryBudget");
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    Http.Reply known = http.post("/v1/queues/jobs/jobs", "{\"payload\":1,\"key\":\"k-7\"}");
    assertThat(known.json().get("duplicate").asBoolean()).isTrue();
    assertThat(http.post("/v1/queues/jobs/jobs", "{\"payload\":1}").status()).isEqualTo(201);
    String metrics = http.get("/metrics").text();
    assertThat(metrics).contains("casq_idempotency_budget_refusals_total{queue=\"jobs\"} 1.0");
  }
}
