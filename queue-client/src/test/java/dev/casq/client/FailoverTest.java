package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.casq.core.BrokerRecord;
import dev.casq.election.BrokerActiveException;
import dev.casq.election.BrokerDiscovery;
import dev.casq.election.ElectionOptions;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client finds a new broker by itself: redirects, takeover in process, waiting, giving up. */
class FailoverTest {
  record Job(int n) {}

  private static final ElectionOptions FAST =
      new ElectionOptions(Duration.ofMillis(50), Duration.ofMillis(400));

  private String store;

  @BeforeEach
  void setUp() {
    store = "mem://failover-" + UUID.randomUUID() + "/jobs.json";
    StubBrokerLauncher.LAUNCHED.clear();
  }

  @AfterEach
  void tearDown() {
    StubBrokerLauncher.LAUNCHED.forEach(StubBroker::close);
  }

  private CasqClient.Builder client(TakeoverPolicy policy) {
    return CasqClient.builder()
        .storeUri(store)
        .takeover(policy)
        .staleAfter(FAST.staleAfter())
        .requestTimeout(Duration.ofSeconds(2))
        .retry(RetryPolicy.defaults().withDeadline(Duration.ofSeconds(15))
            .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)));
  }

  @Test
  void deadBrokerWithStaleHeartbeatIsTakenOverInProcess() throws Exception {
    StubBroker a = StubBroker.start(store, "jobs", null, FAST, false);
    try (CasqClient c = client(TakeoverPolicy.IN_PROCESS).build()) {
      ClientQueue<Job> q = c.queue(Job.class);
      String first = q.push(new Job(1));
      BrokerRecord old = a.record();

      a.close(); // crash: the port closes, the record keeps its heartbeat until it goes stale

      String second = q.push(new Job(2));

      assertThat(c.inProcessBroker()).isPresent();
      assertThat(c.currentBroker()).isEqualTo(c.inProcessBroker());
      BrokerRecord now = recorded();
      assertThat(now.epoch()).isEqualTo(old.epoch() + 1);
      assertThat(now.address()).isEqualTo(c.inProcessBroker().get());
      RemoteStats s = q.stats();
      assertThat(s.counters().pushed()).isEqualTo(2);
      assertThat(q.get(first).id()).isEqualTo(first);
      assertThat(q.get(second).id()).isEqualTo(second);
    }
    // closing the client stops its broker, which resigns so the next one can start at once
    assertThat(StubBrokerLauncher.LAUNCHED).hasSize(1);
    BrokerRecord resigned = recorded();
    assertThat(BrokerDiscovery.isStale(resigned, java.time.Instant.now(), FAST.staleAfter()))
        .isTrue();
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
    StubBroker a = StubBroker.start(store, "jobs", null, FAST, false);
    try (CasqClient c1 = client(TakeoverPolicy.IN_PROCESS).build();
        CasqClient c2 = client(TakeoverPolicy.IN_PROCESS).build()) {
      c1.queue(Job.class).push(new Job(0));
      c2.queue(Job.class).push(new Job(0));
      a.close();
      CompletableFuture<String> p1 = c1.queue(Job.class).pushAsync(new Job(1)).thenApply(r -> r.jobId());
      CompletableFuture<String> p2 = c2.queue(Job.class).pushAsync(new Job(2)).thenApply(r -> r.jobId());
      p1.get(20, TimeUnit.SECONDS);
      p2.get(20, TimeUnit.SECONDS);
      BrokerRecord winner = recorded();
      assertThat(winner.epoch()).isGreaterThan(a.record().epoch());
      // both clients end on the recorded broker; a loser's in-process broker (if it got that far)
      // was fenced and is not used
      assertThat(c1.currentBroker()).contains(winner.address());
      assertThat(c2.currentBroker()).contains(winner.address());
      assertThat(c1.queue(Job.class).stats().counters().pushed()).isEqualTo(4);
    }
  }

  @Test
  void waitPolicyFollowsAStandbyThatTakesOver() throws Exception {
    StubBroker a = StubBroker.start(store, "jobs", null, FAST, false);
    try (CasqClient c = client(TakeoverPolicy.WAIT).build()) {
      ClientQueue<Job> q = c.queue(Job.class);
      q.push(new Job(1));
      a.close();
      CompletableFuture<String> pending = q.pushAsync(new Job(2)).thenApply(r -> r.jobId());

      AtomicReference<StubBroker> standby = new AtomicReference<>();
      await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> {
        try {
          standby.set(StubBroker.start(store, "jobs", null, FAST, true));
          return true;
        } catch (BrokerActiveException stillFresh) {
          return false;
        }
      });
      try (StubBroker b = standby.get()) {
        assertThat(pending.get(15, TimeUnit.SECONDS)).isNotBlank();
        assertThat(c.inProcessBroker()).isEmpty();
        assertThat(c.currentBroker()).contains(b.address());
        assertThat(q.stats().counters().pushed()).isEqualTo(2);
      }
    }
  }

  @Test
  void nonePolicyGivesUpAtTheDeadline() throws Exception {
    StubBroker a = StubBroker.start(store, "jobs", null, FAST, false);
    try (CasqClient c =
        client(TakeoverPolicy.NONE)
            .retry(RetryPolicy.defaults().withDeadline(Duration.ofMillis(800))
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(100)))
            .build()) {
      c.queue(Job.class).push(new Job(1));
      a.close();
      assertThatThrownBy(() -> c.queue(Job.class).push(new Job(2)))
          .isInstanceOf(BrokerUnavailableException.class)
          .hasMessageContaining(a.address().substring("http://".length()));
      assertThat(c.inProcessBroker()).isEmpty();
      assertThat(recorded().id()).isEqualTo(a.record().id());
    }
  }

  @Test
  void fencedBrokerRedirectsToTheNewOne() throws Exception {
    StubBroker a = StubBroker.start(store, "jobs", null, FAST, true);
    try (CasqClient c = client(TakeoverPolicy.NONE).build()) {
      ClientQueue<Job> q = c.queue(Job.class);
      q.push(new Job(1));
      a.resignButKeepServing(); // A still answers HTTP but no longer holds the queue
      try (StubBroker b = StubBroker.start(store, "jobs", null, FAST, true)) {
        int bBefore = b.requests();
        String id = q.push(new Job(2)); // A answers 421 naming B; the client follows

        assertThat(c.currentBroker()).contains(b.address());
        assertThat(b.requests()).isGreaterThan(bBefore);
        assertThat(q.get(id).id()).isEqualTo(id);
        assertThat(q.stats().counters().pushed()).isEqualTo(2);
      } finally {
        a.close();
      }
    }
  }

  @Test
  void redirectNamingTheBrokerIsFollowedWithAnExplicitUrl() throws Exception {
    String storeB = "mem://failover-" + UUID.randomUUID() + "/jobs.json";
    try (StubBroker a = StubBroker.start(store, "jobs");
        StubBroker b = StubBroker.start(storeB, "jobs")) {
      ObjectNode extra = new ObjectMapper().createObjectNode();
      extra.putObject("broker").put("id", "b").put("address", b.address()).put("epoch", 7);
      a.addFault(new StubBroker.Fault(p -> p.endsWith("/jobs"), false, 421, "not_broker", null,
          extra));
      try (CasqClient c =
          CasqClient.builder().brokerUrl(a.address()).queueName("jobs").build()) {
        String id = c.queue(Job.class).push(new Job(1));
        assertThat(c.currentBroker()).contains(b.address());
        assertThat(b.queue().stats().get().counters().pushed()).isEqualTo(1);
        assertThat(a.queue().stats().get().counters().pushed()).isZero();
        assertThat(b.queue().get(id).get().id()).isEqualTo(id);
      }
    }
  }

  private BrokerRecord recorded() {
    try (BrokerDiscovery d = BrokerDiscovery.open(store, java.util.Map.of())) {
      return d.current().orElseThrow();
    }
  }
}
