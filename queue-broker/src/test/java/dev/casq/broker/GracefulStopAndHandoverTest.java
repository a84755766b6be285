package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerDiscovery;
import dev.casq.election.ResignBrokerCommand;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** close() draining and resigning, and the planned hand-over, with brokers in this JVM. */
class GracefulStopAndHandoverTest {
  private static final String TOKEN = "stop-and-handover";

  private static CasqBroker.Builder broker(String uri, String id) {
    return CasqBroker.builder()
        .queue(uri)
        .listen("127.0.0.1", 0)
        .brokerId(id)
        .token(TOKEN)
        .heartbeatInterval(Duration.ofMillis(100))
        .staleAfter(Duration.ofMillis(500))
        .probeTimeout(Duration.ofSeconds(5));
  }

  private static BrokerRecord recorded(String uri) {
    try (StoreLocation loc = Stores.open(uri, Map.of())) {
      return BrokerDiscovery.on(loc).current().orElseThrow();
    }
  }

  @Test
  void closeFromTwoThreadsReturnsOnlyOnceTheQueueIsResigned() throws Exception {
    String uri = "mem://stop-" + UUID.randomUUID() + "/q.json";
    CasqBroker a = broker(uri, "broker-a").build().start();
    Http http = new Http(a.address(), TOKEN);
    assertThat(http.post("/v1/queues/q/jobs", "{\"payload\":1}").status()).isEqualTo(201);
    List<CompletableFuture<BrokerRecord>> closers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      closers.add(
          CompletableFuture.supplyAsync(
              () -> {
                a.close();
                return recorded(uri); // read when this caller's close() returned
              }));
    }
    for (CompletableFuture<BrokerRecord> c : closers) {
      BrokerRecord r = c.get(30, TimeUnit.SECONDS);
      assertThat(r.id()).isEqualTo("broker-a");
      assertThat(r.heartbeatAt())
          .as("resigned when close() returned")
          .isEqualTo(ResignBrokerCommand.RESIGNED);
    }
  }

  @Test
  void whileDrainingNewRequestsGet503WithRetryAfterZeroAndTheWaitingPushIsAnswered()
      throws Exception {
    String uri = "mem://stop-" + UUID.randomUUID() + "/q.json";
    // no heartbeat during the test: a heartbeat queued behind the held engine would count as the
    // waiting push below, and the push could then arrive after draining began
    CasqBroker a =
        broker(uri, "broker-a")
            .heartbeatInterval(Duration.ofMinutes(20))
            .staleAfter(Duration.ofHours(1))
            .build()
            .start();
    Http http = new Http(a.address(), TOKEN);
    CompletableFuture<Void> closing;
    CompletableFuture<Http.Reply> waiting;
    try (EngineBlocker held = new EngineBlocker(a.jobQueue("q"))) {
      waiting = http.postAsync("/v1/queues/q/jobs", "{\"payload\":1}");
      org.awaitility.Awaitility.await().until(() -> a.jobQueue("q").engine().queuedCommands() >= 1);
      closing = CompletableFuture.runAsync(a::close);
      org.awaitility.Awaitility.await().until(() -> http.get("/ready").status() == 503);
      Http.Reply refused = http.post("/v1/queues/q/jobs", "{\"payload\":2}");
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.errorCode()).isEqualTo("unavailable");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("0");
      assertThat(closing).as("close() waits for the engine").isNotDone();
    }
    assertThat(waiting.get(30, TimeUnit.SECONDS).status())
        .as("the push accepted before the stop is answered")
        .isEqualTo(201);
    closing.get(30, TimeUnit.SECONDS);
    assertThat(recorded(uri).heartbeatAt()).isEqualTo(ResignBrokerCommand.RESIGNED);
  }

  @Test
  void aHandoverResignsTheOldBrokerRedirectsItsLateRequestsAndTheNewOneServesAtTheNextEpoch() {
    String uri = "mem://handover-" + UUID.randomUUID() + "/q.json";
    try (CasqBroker a = broker(uri, "broker-a").build().start()) {
      Http oldHttp = new Http(a.address(), TOKEN);
      assertThat(oldHttp.post("/v1/queues/q/jobs", "{\"payload\":1,\"key\":\"k1\"}").status())
          .isEqualTo(201);
      try (CasqBroker b = broker(uri, "broker-b").handover(true).build().start()) {
        assertThat(b.broker("q").orElseThrow().epoch()).isEqualTo(2);
        assertThat(recorded(uri).id()).isEqualTo("broker-b");
        // a late request is forwarded to the successor, which answers it
        Http.Reply forwarded = oldHttp.post("/v1/queues/q/jobs", "{\"payload\":2,\"key\":\"k2\"}");
        assertThat(forwarded.status()).as("%s", forwarded).isEqualTo(201);
        Http.Reply again = oldHttp.post("/v1/queues/q/jobs", "{\"payload\":2,\"key\":\"k2\"}");
        assertThat(again.json().path("duplicate").asBoolean()).isTrue();
        assertThat(again.json().path("id").asText())
            .isEqualTo(forwarded.json().path("id").asText());
        // the old broker still checks the token itself before forwarding anything
        Http.Reply unauthorized = oldHttp.withToken("wrong").get("/v1/queues/q/stats");
        assertThat(unauthorized.status()).isEqualTo(401);
        // a request forwarded once already is not forwarded again: 421 naming the successor
        Http.Reply late =
            oldHttp
                .asForwardedBy("broker-x")
                .post("/v1/queues/q/jobs", "{\"payload\":3,\"key\":\"k3\"}");
        assertThat(late.status()).isEqualTo(421);
        assertThat(late.json().path("broker").path("id").asText()).isEqualTo("broker-b");
        assertThat(late.json().path("broker").path("address").asText()).isEqualTo(b.address());
        assertThat(late.json().path("broker").path("epoch").asLong()).isEqualTo(2);
        Http.Reply health = oldHttp.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("handed_over");
        assertThat(oldHttp.get("/ready").status()).isEqualTo(503);
        Http newHttp = new Http(b.address(), TOKEN);
        assertThat(
                newHttp
                    .post("/v1/queues/q/jobs", "{\"payload\":1,\"key\":\"k1\"}")
                    .json()
                    .path("duplicate")
                    .asBoolean())
            .as("the job pushed through the old broker")
            .isTrue();
        assertThat(a.whenHandedOver()).isCompleted();
      }
    }
  }

  @Test
  void theHandoverEndpointNeedsTheToken() {
    String uri = "mem://handover-" + UUID.randomUUID() + "/q.json";
    try (CasqBroker a = broker(uri, "broker-a").build().start()) {
      Http wrong = new Http(a.address(), "not-the-token");
      assertThat(wrong.post("/admin/handover", "{}").status()).isEqualTo(401);
      assertThat(a.isServing("q")).isTrue();
    }
    String other = "mem://handover-" + UUID.randomUUID() + "/q.json";
    try (CasqBroker open =
        CasqBroker.builder().queue(other).listen("127.0.0.1", 0).build().start()) {
      Http.Reply r = new Http(open.address()).post("/admin/handover", "{}");
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.errorCode()).isEqualTo("forbidden");
      assertThat(open.isServing("q")).isTrue();
    }
    assertThatThrownBy(() -> CasqBroker.builder().queue(other).handover(true).build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("token");
  }
}
