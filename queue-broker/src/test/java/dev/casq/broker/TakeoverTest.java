package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.casq.core.QueueOptions;
import dev.casq.election.BrokerActiveException;
import dev.casq.election.BrokerLauncher;
import dev.casq.election.LaunchSpec;
import dev.casq.election.LaunchedBroker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Starting a broker where one is alive, standby takeover, and the in-process launcher. */
class TakeoverTest {

  private static CasqBroker.Builder broker(String uri) {
    // a generous probe timeout: these tests are about the rule, not about a busy machine's speed
    return CasqBroker.builder()
        .queue(uri)
        .listen("127.0.0.1", 0)
        .heartbeatInterval(Duration.ofMillis(100))
        .staleAfter(Duration.ofMillis(500))
        .probeTimeout(Duration.ofSeconds(5));
  }

  @Test
  void aSecondBrokerFailsClearlyWhileTheFirstIsAlive() {
    String uri = "mem://take-" + UUID.randomUUID() + "/q.json";
    try (CasqBroker a = broker(uri).brokerId("broker-a").build().start()) {
      assertThatThrownBy(() -> broker(uri).brokerId("broker-b").build().start())
          .isInstanceOfSatisfying(
              BrokerActiveException.class,
              e -> assertThat(e.activeBroker().id()).isEqualTo("broker-a"))
          .hasMessageContaining(a.address());
      assertThat(a.isServing("q")).isTrue();
    }
  }

  @Test
  void twoBrokersStartedAtOnceOnOneObjectExactlyOneServes() throws Exception {
    for (int round = 0; round < 5; round++) {
      String uri = "mem://take-" + UUID.randomUUID() + "/q.json";
      CasqBroker a = broker(uri).brokerId("broker-a").build();
      CasqBroker b = broker(uri).brokerId("broker-b").build();
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      CompletableFuture<CasqBroker> fa =
          CompletableFuture.supplyAsync(
              () -> {
                awaitLatch(go);
                return a.start();
              },
              pool);
      CompletableFuture<CasqBroker> fb =
          CompletableFuture.supplyAsync(
              () -> {
                awaitLatch(go);
                return b.start();
              },
              pool);
      go.countDown();
      int serving = 0;
      for (CompletableFuture<CasqBroker> f : List.of(fa, fb)) {
        try {
          f.get(30, TimeUnit.SECONDS);
          serving++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(BrokerActiveException.class);
        }
      }
      try {
        assertThat(serving).as("round %d", round).isEqualTo(1);
        CasqBroker winner = a.isServing("q") ? a : b;
        CasqBroker loser = winner == a ? b : a;
        assertThat(loser.isServing("q")).isFalse();
        assertThat(winner.broker("q").orElseThrow().epoch()).isEqualTo(1);
        assertThat(new Http(winner.address()).post("/v1/queues/q/jobs", "{\"payload\":1}").status())
            .isEqualTo(201);
      } finally {
        a.close();
        b.close();
      }
    }
  }

  private final java.util.concurrent.ExecutorService pool =
      java.util.concurrent.Executors.newFixedThreadPool(2);

  @org.junit.jupiter.api.AfterEach
  void stopPool() {
    pool.shutdownNow();
  }

  private static void awaitLatch(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aStaleBrokerThatStillAnswersIsNotDisplaced() {
    String uri = "mem://take-" + UUID.randomUUID() + "/q.json";
    // A's heartbeats all say "an hour ago", but A answers /health
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
    try (CasqBroker a =
        broker(uri)
            .brokerId("broker-a")
            .queueOptions(QueueOptions.builder().clock(past).build())
            .build()
            .start()) {
      assertThatThrownBy(() -> broker(uri).brokerId("broker-b").build().start())
          .isInstanceOf(BrokerActiveException.class);
      assertThat(a.isServing("q")).isTrue();
    }
  }

  @Test
  void aStandbyTakesOverOnlyOnceTheBrokerIsStaleAndSilent() throws Exception {
    String uri = "mem://take-" + UUID.randomUUID() + "/q.json";
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
    CasqBroker a =
        broker(uri)
            .brokerId("broker-a")
            .resignOnClose(false)
            .queueOptions(QueueOptions.builder().clock(past).build())
            .build()
            .start();
    CasqBroker b =
        broker(uri)
            .brokerId("broker-b")
            .standby(true)
            .standbyPollInterval(Duration.ofMillis(50))
            .build();
    try {
      CompletableFuture<CasqBroker> starting = CompletableFuture.supplyAsync(b::start);
      // A's record is stale from the start, but A answers: B keeps waiting
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(3))
          .until(() -> !starting.isDone() && a.isServing("q"));
      a.close(); // A dies without resigning: its record stays, it stops answering
      starting.get(20, TimeUnit.SECONDS);
      assertThat(b.isServing("q")).isTrue();
      assertThat(b.broker("q").orElseThrow().epoch()).isEqualTo(2);
      Http.Reply r = new Http(b.address()).post("/v1/queues/q/jobs", "{\"payload\":1}");
      assertThat(r.status()).isEqualTo(201);
    } finally {
      b.close();
      a.close();
    }
  }

  @Test
  void theLauncherStartsABrokerInThisProcess() {
    String uri = "mem://take-" + UUID.randomUUID() + "/emails.json";
    BrokerLauncher launcher = BrokerLauncher.find().orElseThrow();
    assertThat(launcher).isInstanceOf(CasqBrokerLauncher.class);
    LaunchSpec spec = LaunchSpec.builder(uri).token("t0k").build();
    assertThat(spec.toString()).doesNotContain("t0k");
    try (LaunchedBroker first = launcher.launch(spec)) {
      assertThat(first.isServing()).isTrue();
      assertThat(first.queueName()).isEqualTo("emails");
      assertThat(first.record().address()).isEqualTo(first.address());
      Http http = new Http(first.address(), "t0k");
      assertThat(http.post("/v1/queues/emails/jobs", "{\"payload\":1}").status()).isEqualTo(201);

      assertThatThrownBy(() -> launcher.launch(spec)).isInstanceOf(BrokerActiveException.class);

      first.close();
      assertThat(first.isServing()).isFalse();
      try (LaunchedBroker second = launcher.launch(spec)) {
        assertThat(second.record().epoch())
            .as("took over at once after a resignation")
            .isEqualTo(2);
        assertThat(
                new Http(second.address(), "t0k")
                    .get("/v1/queues/emails/stats")
                    .json()
                    .get("counters")
                    .get("pushed")
                    .asInt())
            .isEqualTo(1);
      }
    }
  }
}
