package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.core.internal.JobQueue;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Past its bounds the broker turns requests away at once instead of queueing without end. */
class BackPressureTest {
  private CasqBroker broker;

  private Http start(CasqBroker.Builder b) {
    broker =
        b.queue("jobs", "mem://bp-" + UUID.randomUUID() + "/jobs.json")
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

  @Test
  void aQueueWithTooManyWaitingCommandsAnswers503OverloadedUntilItDrains() throws Exception {
    Http http = start(CasqBroker.builder().maxQueuedCommands(3));
    JobQueue queue = broker.jobQueue("jobs");
    long pushedBefore = http.get("/v1/queues/jobs/stats").json().at("/counters/pushed").asLong();
    try (EngineBlocker blocked = new EngineBlocker(queue)) {
      EngineBlocker.fill(queue, 4);
      Http.Reply push = http.post("/v1/queues/jobs/jobs", "{\"payload\":1}");
      BrokerApiTest.expect(push, 503, "overloaded", "bound is 3");
      assertThat(push.headers().firstValue("retry-after")).hasValue("1");
      BrokerApiTest.expect(http.get("/v1/queues/jobs/stats"), 503, "overloaded", "overloaded");
      assertThat(queue.engine().queuedCommands())
          .as("the rejected requests queued nothing")
          .isEqualTo(4);
    }
    Awaitility.await().until(() -> queue.engine().queuedCommands() == 0);
    assertThat(http.post("/v1/queues/jobs/jobs", "{\"payload\":2}").status()).isEqualTo(201);
    assertThat(http.get("/v1/queues/jobs/stats").json().at("/counters/pushed").asLong())
        .isEqualTo(pushedBefore + 1);
  }

  @Test
  void longPollClaimsPastTheBoundAre503ButPlainClaimsStillAnswer() {
    Http http = start(CasqBroker.builder().maxClaimWaiters(2));
    String waiting = "{\"worker\":\"w\",\"wait\":\"30s\"}";
    CompletableFuture<Http.Reply> a = http.postAsync("/v1/queues/jobs/claim", waiting);
    CompletableFuture<Http.Reply> b = http.postAsync("/v1/queues/jobs/claim", waiting);
    Awaitility.await().until(() -> broker.jobQueue("jobs").waitingClaims() == 2);

    Http.Reply third = http.post("/v1/queues/jobs/claim", waiting);
    BrokerApiTest.expect(third, 503, "overloaded", "waiting claims");
    assertThat(third.headers().firstValue("retry-after")).hasValue("1");
    Http.Reply plain = http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\"}");
    assertThat(plain.status()).isEqualTo(200);
    assertThat(plain.json().get("jobs")).isEmpty();

    http.post("/v1/queues/jobs/jobs", "{\"payload\":1}");
    http.post("/v1/queues/jobs/jobs", "{\"payload\":2}");
    assertThat(a.join().json().get("jobs")).hasSize(1);
    assertThat(b.join().json().get("jobs")).hasSize(1);
    assertThat(broker.jobQueue("jobs").waitingClaims()).isZero();
  }

  @Test
  void connectionsPastTheBoundWaitToBeAccepted() throws Exception {
    Http http = start(CasqBroker.builder().maxConnections(2));
    try (Socket one = new Socket("127.0.0.1", broker.port());
        Socket two = new Socket("127.0.0.1", broker.port())) {
      assertThatThrownBy(
              () ->
                  http.send(http.request("/health").timeout(Duration.ofMillis(750)).GET().build()))
          .hasRootCauseInstanceOf(HttpTimeoutException.class);
      closeQuietly(one);
      Awaitility.await()
          .ignoreExceptions()
          .until(
              () ->
                  http.send(http.request("/health").timeout(Duration.ofSeconds(2)).GET().build())
                          .status()
                      == 200);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closed already
    }
  }
}
