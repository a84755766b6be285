package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A standby warms its request path on a private queue while it waits; the takeover ends it. */
class StandbyWarmupTest {
  @TempDir Path dir;

  private static CasqBroker.Builder broker(String uri) {
    return CasqBroker.builder()
        .queue("q", uri)
        .listen("127.0.0.1", 0)
        .heartbeatInterval(Duration.ofMillis(100))
        .staleAfter(Duration.ofMillis(500))
        .probeTimeout(Duration.ofSeconds(5));
  }

  @Test
  void aWaitingStandbyWarmsOnAPrivateObjectThatTheTakeoverEndsAndDeletes() throws Exception {
    String uri = dir.toUri() + "q.json";
    CasqBroker a = broker(uri).brokerId("broker-a").build().start();
    CasqBroker b = null;
    try {
      assertThat(new Http(a.address()).post("/v1/queues/q/jobs", "{\"payload\":1}").status())
          .isEqualTo(201);
      b =
          broker(uri)
              .brokerId("broker-b")
              .standby(true)
              .standbyWarmup(Duration.ofMinutes(5))
              .build();
      CasqBroker standby = b;
      CompletableFuture<CasqBroker> started = CompletableFuture.supplyAsync(standby::start);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> standby.standbyWarmup() != null && standby.standbyWarmup().requests() > 200);
      StandbyWarmup w = b.standbyWarmup();
      // its own file:// object, in a directory of its own, not the served queue's
      assertThat(w.storeUri()).startsWith("file:").doesNotContain(dir.toUri().getPath());
      Path warmDir = Path.of(URI.create(w.storeUri())).getParent();
      assertThat(warmDir).isDirectory();
      // the served queue took no request of the warm-up
      assertThat(pushed(a.address())).isEqualTo(1);
      assertThat(b.isServing("q")).isFalse();

      a.close(); // resigns: the standby takes over
      started.get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(b.isServing("q")).isTrue();
      // the takeover ended the warm-up long before its 5 minutes; its object is gone
      assertThat(w.awaitDone(Duration.ofSeconds(60))).isTrue();
      assertThat(warmDir).doesNotExist();
      assertThat(pushed(b.address())).isEqualTo(1);
      long after = w.requests();
      assertThat(new Http(b.address()).post("/v1/queues/q/jobs", "{\"payload\":2}").status())
          .isEqualTo(201);
      assertThat(pushed(b.address())).isEqualTo(2);
      assertThat(w.requests()).isEqualTo(after);
    } finally {
      a.close();
      if (b != null) {
        b.close();
      }
    }
  }

  @Test
  void theWarmupEndsAtItsBudgetWhileTheStandbyKeepsWaiting() throws Exception {
    String uri = "mem://warm-" + UUID.randomUUID() + "/q.json";
    try (CasqBroker a = broker(uri).brokerId("broker-a").build().start();
        CasqBroker b =
            broker(uri)
                .brokerId("broker-b")
                .standby(true)
                .standbyWarmup(Duration.ofMillis(300))
                .build()) {
      CompletableFuture.runAsync(
          () -> {
            try {
              b.start();
            } catch (RuntimeException e) {
              // closed while standing by
            }
          });
      await().atMost(Duration.ofSeconds(60)).until(() -> b.standbyWarmup() != null);
      StandbyWarmup w = b.standbyWarmup();
      assertThat(w.awaitDone(Duration.ofSeconds(60))).isTrue();
      assertThat(w.storeUri()).startsWith("mem://casq-warmup-");
      assertThat(b.isServing("q")).isFalse();
      assertThat(a.isServing("q")).isTrue();
      assertThat(pushed(a.address())).isZero();
    }
  }

  @Test
  void offUnlessAskedForAndOnlyForAStandby() throws Exception {
    String uri = "mem://warm-" + UUID.randomUUID() + "/q.json";
    try (CasqBroker a = broker(uri).standbyWarmup(Duration.ofSeconds(30)).build().start()) {
      assertThat(a.standbyWarmup()).as("not a standby").isNull();
    }
    String other = "mem://warm-" + UUID.randomUUID() + "/q.json";
    try (CasqBroker a = broker(other).standby(true).build().start()) {
      assertThat(a.standbyWarmup()).as("not asked for").isNull();
    }
  }

  @Test
  void refusesABadBudget() {
    String uri = "mem://warm-" + UUID.randomUUID() + "/q.json";
    assertThatThrownBy(() -> broker(uri).standbyWarmup(Duration.ofSeconds(-1)).build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("standby warm-up");
    assertThatThrownBy(() -> broker(uri).standbyWarmup(Duration.ofMinutes(11)).build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("standby warm-up");
    assertThatThrownBy(
            () -> broker(uri).properties(Map.of("broker.standby-warmup", "soon")).build())
        .isInstanceOf(BrokerConfigurationException.class)
        .hasMessageContaining("broker.standby-warmup");
  }

  private static long pushed(String address) throws Exception {
    JsonNode stats = new Http(address).get("/v1/queues/q/stats").json();
    return stats.path("counters").path("pushed").asLong();
  }
}
