package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.casq.broker.CasqBroker;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerDiscovery;
import dev.casq.election.BrokerProbe;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client finds a new broker by itself, against real brokers on loopback: in-process takeover
 * (through queue-broker's launcher), waiting for a standby, giving up, and fenced brokers
 * redirecting with 421.
 */
class FailoverTest {
  record Job(int n) {}

  @TempDir Path dir;
  private String store;

  @BeforeEach
  void setUp() {
    store = Brokers.store(dir, "jobs");
  }

  private CasqClient.Builder client(TakeoverPolicy policy) {
    return CasqClient.builder()
        .storeUri(store)
        .storeProperties(Brokers.props())
        .takeover(policy)
        .staleAfter(Brokers.STALE_AFTER)
        .healthTimeout(Duration.ofMillis(300))
        .requestTimeout(Duration.ofSeconds(2))
        .retry(
            RetryPolicy.defaults()
                .withDeadline(Duration.ofSeconds(20))
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)));
  }

  @Test
  void deadBrokerWithStaleHeartbeatIsTakenOverInProcess() {
    CasqBroker a = Brokers.startCrashable(store);
    BrokerRecord old = a.broker("jobs").orElseThrow();
    try (CasqClient c = client(TakeoverPolicy.IN_PROCESS).build()) {
      ClientQueue<Job> q = c.queue(Job.class);
      String first = q.push(new Job(1));

      a.close(); // like a crash: the port closes, the record keeps a heartbeat until it is stale

      String second = q.push(new Job(2));

      assertThat(c.inProcessBroker()).isPresent();
      assertThat(c.currentBroker()).isEqualTo(c.inProcessBroker());
      BrokerRecord now = recorded();
      assertThat(now.epoch()).isEqualTo(old.epoch() + 1);
      assertThat(now.address()).isEqualTo(c.inProcessBroker().get());
      assertThat(q.stats().counters().pushed()).isEqualTo(2);
      assertThat(q.get(first).id()).isEqualTo(first);
      assertThat(q.get(second).id()).isEqualTo(second);
    }
    // closing the client stops its broker, which resigns so the next one can start at once
    assertThat(BrokerDiscovery.isStale(recorded(), Instant.now(), Brokers.STALE_AFTER)).isTrue();
  }

  /**
   * The recorded broker died and another process (here a bare HTTP server naming another broker id)
   * now listens on its port: that is not the recorded broker being alive, so once the heartbeat is
   * stale the client takes over.
   */
  @Test
  void anotherBrokerAnsweringAtTheRecordedAddressIsNotTakenForTheRecordedOne() throws Exception {
    CasqBroker a = Brokers.startCrashable(store);
    BrokerRecord old = a.broker("jobs").orElseThrow();
    int port = java.net.URI.create(a.address()).getPort();
    try (CasqClient c =
        client(TakeoverPolicy.IN_PROCESS)
            .retry(
                RetryPolicy.defaults()
                    .withDeadline(Duration.ofSeconds(8))
                    .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)))
            .build()) {
      ClientQueue<Job> q = c.queue(Job.class);
      q.push(new Job(1));
      a.close();
      HttpServer impostor = bindImpostor(port);
      try {
        String id = q.push(new Job(2));

        assertThat(c.inProcessBroker()).isPresent();
        BrokerRecord now = recorded();
        assertThat(now.epoch()).isEqualTo(old.epoch() + 1);
        assertThat(now.address()).isEqualTo(c.inProcessBroker().get());
        assertThat(q.get(id).id()).isEqualTo(id);
      } finally {
        impostor.stop(0);
      }
    }
  }

  /** Answers /health as a live broker with another id, and 503 to everything else. */
  private static HttpServer bindImpostor(int port) {
    HttpServer[] bound = new HttpServer[1];
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              try {
                bound[0] = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
                return true;
              } catch (java.net.BindException e) {
                return false; // the dead broker's socket is still closing
              }
            });
    bound[0].createContext(
        "/",
        ex -> {
          boolean health = ex.getRequestURI().getPath().equals("/health");
          byte[] body =
              (health
                      ? "{\"status\":\"ok\",\"brokerId\":\"someone-else\",\"queues\":{}}"
                      : "{\"error\":{\"code\":\"unavailable\",\"message\":\"not this queue\"}}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(health ? 200 : 503, body.length);
          try (var out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    bound[0].start();
    return bound[0];
  }

  @Test
  void noBrokerAtAllStartsOneInProcess() {
    try (CasqClient c = client(TakeoverPolicy.IN_PROCESS).build()) {
      String id = c.queue(Job.class).push(new Job(1));
      assertThat(id).isNotBlank();
      assertThat(c.inProcessBroker()).isPresent();
      assertThat(recorded().epoch()).isEqualTo(1);
    }
  }

  @Test
  void twoClientsTakingOverAtOnceEndOnOneBroker() throws Exception {
    CasqBroker a = Brokers.startCrashable(store);
    long oldEpoch = a.broker("jobs").orElseThrow().epoch();
    try (CasqClient c1 = client(TakeoverPolicy.IN_PROCESS).build();
        CasqClient c2 = client(TakeoverPolicy.IN_PROCESS).build()) {
      c1.queue(Job.class).push(new Job(0));
      c2.queue(Job.class).push(new Job(0));
      a.close();
      CompletableFuture<PushResultId> p1 =
          c1.queue(Job.class).pushAsync(new Job(1)).thenApply(r -> new PushResultId(r.jobId()));
      CompletableFuture<PushResultId> p2 =
          c2.queue(Job.class).pushAsync(new Job(2)).thenApply(r -> new PushResultId(r.jobId()));
      p1.get(30, TimeUnit.SECONDS);
      p2.get(30, TimeUnit.SECONDS);

      BrokerRecord winner = recorded();
      assertThat(winner.epoch()).isGreaterThan(oldEpoch);
      // both clients end on the recorded broker; a loser's in-process broker is not used
      assertThat(c1.currentBroker()).contains(winner.address());
      assertThat(c2.currentBroker()).contains(winner.address());
      assertThat(c1.queue(Job.class).stats().counters().pushed()).isEqualTo(4);
    }
  }

  private record PushResultId(String id) {}

  @Test
  void waitPolicyFollowsAStandbyThatTakesOver() throws Exception {
    CasqBroker a = Brokers.startCrashable(store);
    try (CasqClient c = client(TakeoverPolicy.WAIT).build()) {
      ClientQueue<Job> q = c.queue(Job.class);
      q.push(new Job(1));
      CasqBroker standby =
          Brokers.builder(store).standby(true).standbyPollInterval(Duration.ofMillis(50)).build();
      CompletableFuture<CasqBroker> serving = CompletableFuture.supplyAsync(standby::start);
      try {
        a.close();
        String id = q.push(new Job(2)); // waits until the standby has taken over

        CasqBroker b = serving.get(30, TimeUnit.SECONDS);
        assertThat(id).isNotBlank();
        assertThat(c.inProcessBroker()).isEmpty();
        assertThat(c.currentBroker()).contains(b.address());
        assertThat(q.stats().counters().pushed()).isEqualTo(2);
      } finally {
        standby.close();
      }
    }
  }

  @Test
  void nonePolicyGivesUpAtTheDeadline() {
    CasqBroker a = Brokers.startCrashable(store);
    String recordedId = a.broker("jobs").orElseThrow().id();
    try (CasqClient c =
        client(TakeoverPolicy.NONE)
            .retry(
                RetryPolicy.defaults()
                    .withDeadline(Duration.ofMillis(800))
                    .withBackoff(Duration.ofMillis(20), Duration.ofMillis(100)))
            .build()) {
      c.queue(Job.class).push(new Job(1));
      String address = a.address();
      a.close();
      assertThatThrownBy(() -> c.queue(Job.class).push(new Job(2)))
          .isInstanceOf(BrokerUnavailableException.class)
          .hasMessageContaining(address.substring("http://".length()));
      assertThat(c.inProcessBroker()).isEmpty();
      assertThat(recorded().id()).isEqualTo(recordedId);
    }
  }

  @Test
  void fencedBrokerRedirectsToTheNewOne() {
    CasqBroker a = Brokers.start(store);
    try (CasqClient c = client(TakeoverPolicy.NONE).build()) {
      ClientQueue<Job> q = c.queue(Job.class);
      q.push(new Job(1));
      a.tenure("jobs").orElseThrow().close(); // resigns; A still answers HTTP
      // B cannot reach A (a partition): it takes over on the stale record alone
      try (CasqBroker b = Brokers.builder(store).probe(BrokerProbe.NEVER_ANSWERS).build().start()) {
        String id = q.push(new Job(2)); // A's write is fenced: 421 naming B; the client follows

        assertThat(c.currentBroker()).contains(b.address());
        assertThat(q.get(id).id()).isEqualTo(id);
        assertThat(q.stats().counters().pushed()).isEqualTo(2);
        assertThat(a.isServing("jobs")).isFalse();
      }
    } finally {
      a.close();
    }
  }

  /** A scripted 421 naming another broker (STUB broker): followed even with an explicit URL. */
  @Test
  void redirectNamingTheBrokerIsFollowedWithAnExplicitUrl() throws Exception {
    String storeA = "mem://failover-" + UUID.randomUUID() + "/jobs.json";
    String storeB = "mem://failover-" + UUID.randomUUID() + "/jobs.json";
    try (StubBroker a = StubBroker.start(storeA, "jobs");
        StubBroker b = StubBroker.start(storeB, "jobs")) {
      ObjectNode extra = new ObjectMapper().createObjectNode();
      extra.putObject("broker").put("id", "b").put("address", b.address()).put("epoch", 7);
      a.addFault(
          new StubBroker.Fault(p -> p.endsWith("/jobs"), false, 421, "not_broker", null, extra));
      try (CasqClient c = CasqClient.builder().brokerUrl(a.address()).queueName("jobs").build()) {
        String id = c.queue(Job.class).push(new Job(1));
        assertThat(c.currentBroker()).contains(b.address());
        assertThat(b.queue().stats().get().counters().pushed()).isEqualTo(1);
        assertThat(a.queue().stats().get().counters().pushed()).isZero();
        assertThat(b.queue().get(id).get().id()).isEqualTo(id);
      }
    }
  }

  private BrokerRecord recorded() {
    try (BrokerDiscovery d = BrokerDiscovery.open(store, Map.of())) {
      return d.current().orElseThrow();
    }
  }
}
