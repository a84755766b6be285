package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.core.internal.JobQueue;
import dev.casq.storage.MemoryObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /health tells each queue's engine state, /ready is 200 only when all serve, /metrics asks no
 * engine.
 */
class HealthAndReadinessTest {
  private String store;
  private CasqBroker broker;
  private Http http;

  @BeforeEach
  void start() {
    store = "ready-" + UUID.randomUUID();
    broker =
        CasqBroker.builder()
            .queue("jobs", "mem://" + store + "/jobs.json")
            .queue("other", "mem://" + store + "/other.json")
            .listen("127.0.0.1", 0)
            .build()
            .start();
    http = new Http(broker.address());
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @Test
  void aServingBrokerIsReadyAndSaysSoPerQueue() {
    Http.Reply ready = http.get("/ready");
    assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
    assertThat(ready.json().get("ready").asBoolean()).isTrue();
    assertThat(ready.json().at("/queues/jobs/state").asText()).isEqualTo("serving");
    assertThat(ready.json().at("/queues/other/state").asText()).isEqualTo("serving");

    JsonNode health = http.get("/health").json();
    assertThat(health.at("/queues/jobs/state").asText()).isEqualTo("serving");
    assertThat(health.at("/queues/jobs/reason").isNull()).isTrue();
    assertThat(health.at("/queues/jobs/since").asText()).isNotEmpty();
  }

  @Test
  void aQueueWhoseObjectTurnedCorruptMakesTheBrokerUnreadyButStillAlive() {
    assertThat(http.post("/v1/queues/jobs/jobs", "{\"payload\":1}").status()).isEqualTo(201);
    MemoryObjectStore.named(store).put("jobs.json", "not a queue".getBytes(StandardCharsets.UTF_8));
    // the next write loses its compare-and-swap, re-reads the object and stops on what it finds
    Http.Reply push = http.post("/v1/queues/jobs/jobs", "{\"payload\":2}");
    assertThat(push.status()).as(push.toString()).isEqualTo(503);

    Http.Reply ready = http.get("/ready");
    assertThat(ready.status()).as(ready.toString()).isEqualTo(503);
    assertThat(ready.json().get("ready").asBoolean()).isFalse();
    assertThat(ready.json().at("/queues/jobs/state").asText()).isEqualTo("stopped");
    assertThat(ready.json().at("/queues/jobs/reason").asText()).isNotBlank();
    assertThat(ready.json().at("/queues/other/state").asText()).isEqualTo("serving");

    // liveness is unchanged (the takeover rule reads it): another broker would find the same object
    Http.Reply health = http.get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("brokerId").asText()).isEqualTo(broker.brokerId());
    assertThat(health.json().at("/queues/jobs/state").asText()).isEqualTo("stopped");
    assertThat(health.json().at("/queues/jobs/reason").asText())
        .isEqualTo(ready.json().at("/queues/jobs/reason").asText());

    assertThat(http.get("/metrics").text())
        .contains("casq_queue_state{queue=\"jobs\",state=\"stopped\"} 1")
        .contains("casq_queue_state{queue=\"jobs\",state=\"serving\"} 0")
        .contains("casq_queue_state{queue=\"other\",state=\"serving\"} 1");
  }

  @Test
  void aClosedEngineIsStoppedWithItsReason() {
    broker.jobQueue("other").engine().close();
    Http.Reply ready = http.get("/ready");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.json().at("/queues/other/state").asText()).isEqualTo("stopped");
    assertThat(ready.json().at("/queues/other/reason").asText()).isEqualTo("closed");
  }

  @Test
  void metricsAnswerFromTheLastBatchWithoutQueueingBehindTheEngine() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(http.post("/v1/queues/jobs/jobs", "{\"payload\":" + i + "}").status())
          .isEqualTo(201);
    }
    JobQueue queue = broker.jobQueue("jobs");
    try (EngineBlocker blocked = new EngineBlocker(queue)) {
      Http.Reply metrics =
          http.send(
              http.request("/metrics").timeout(java.time.Duration.ofSeconds(1)).GET().build());
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.text())
          .contains("casq_queue_jobs{queue=\"jobs\",state=\"ready\"} 3")
          .contains("casq_queue_events_total{event=\"pushed\",queue=\"jobs\"} 3");
      assertThat(queue.engine().queuedCommands()).as("a scrape queued no command").isZero();
    }
    Awaitility.await().until(() -> http.get("/ready").status() == 200);
  }
}
