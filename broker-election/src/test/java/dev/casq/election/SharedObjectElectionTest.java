package dev.casq.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.casq.core.QueueOptions;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Version;
import dev.casq.storage.tck.DelegatingObjectStore;
import dev.casq.storage.tck.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Several commit engines (brokers) on one mem:// queue object, as separate processes would be. */
class SharedObjectElectionTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ElectionOptions ELECTION =
      new ElectionOptions(Duration.ofSeconds(2), Duration.ofSeconds(10));
  private static final String KEY = "q.json";

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    Collections.reverse(toClose);
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  /** Records every successful write of the queue object, in the order the store applied them. */
  static final class WriteLog extends DelegatingObjectStore {
    final List<QueueState> writes = Collections.synchronizedList(new ArrayList<>());

    WriteLog(ObjectStore delegate) {
      super(delegate);
    }

    @Override
    public synchronized Version create(String key, byte[] data) {
      Version v = super.create(key, data);
      record(key, data);
      return v;
    }

    @Override
    public synchronized Version replace(String key, byte[] data, Version expected) {
      Version v = super.replace(key, data, expected);
      record(key, data);
      return v;
    }

    private void record(String key, byte[] data) {
      if (key.equals(KEY)) {
        writes.add(StateCodec.decode(data));
      }
    }

    List<Long> revisions() {
      synchronized (writes) {
        return writes.stream().map(QueueState::revision).collect(Collectors.toList());
      }
    }

    QueueState current() {
      return StateCodec.decode(delegate().read(KEY).orElseThrow().data());
    }
  }

  private WriteLog newObject() {
    return new WriteLog(MemoryObjectStore.named("election-" + UUID.randomUUID()));
  }

  private JobQueue open(WriteLog store, Clock clock) {
    JobQueue q =
        JobQueue.open(new StoreLocation(store, KEY), QueueOptions.builder().clock(clock).build());
    toClose.add(q);
    return q;
  }

  private BrokerTenure acquire(
      JobQueue q, String id, Clock clock, AtomicReference<FencedException> fenced) {
    BrokerTenure t =
        BrokerTenure.builder(q, id, "http://" + id + ":8080")
            .options(ELECTION)
            .clock(clock)
            .onFenced(fenced::set)
            .acquire();
    toClose.add(t);
    return t;
  }

  private static void assertConsecutive(List<Long> revisions) {
    assertThat(revisions).isNotEmpty();
    for (int i = 1; i < revisions.size(); i++) {
      assertThat(revisions.get(i))
          .as("revision after %s", revisions.get(i - 1))
          .isEqualTo(revisions.get(i - 1) + 1);
    }
  }

  private static Throwable failureOf(CompletableFuture<?> f) {
    try {
      f.join();
      throw new AssertionError("expected a failure, got " + f.join());
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  private static List<String> payloads(QueueState s) {
    return s.liveJobs().stream().map(Job::payloadJson).sorted().collect(Collectors.toList());
  }

  @Test
  void twoBrokersStartedAtOnceExactlyOneServes() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        WriteLog store = newObject();
        Clock clock = Clock.fixed(T0, java.time.ZoneOffset.UTC);
        JobQueue qa = open(store, clock);
        JobQueue qb = open(store, clock);
        CountDownLatch go = new CountDownLatch(1);
        Future<BrokerTenure> a =
            pool.submit(
                () -> {
                  go.await();
                  return acquire(qa, "a", clock, new AtomicReference<>());
                });
        Future<BrokerTenure> b =
            pool.submit(
                () -> {
                  go.await();
                  return acquire(qb, "b", clock, new AtomicReference<>());
                });
        go.countDown();

        List<BrokerTenure> winners = new ArrayList<>();
        List<BrokerActiveException> losers = new ArrayList<>();
        for (Future<BrokerTenure> f : List.of(a, b)) {
          try {
            winners.add(f.get(30, TimeUnit.SECONDS));
          } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(BrokerActiveException.class);
            losers.add((BrokerActiveException) e.getCause());
          }
        }
        assertThat(winners).as("round %d", round).hasSize(1);
        assertThat(losers).hasSize(1);
        BrokerRecord won = winners.get(0).record();
        assertThat(won.epoch()).isEqualTo(1);
        assertThat(losers.get(0).activeBroker()).isEqualTo(won);

        JobQueue winnerQueue = won.id().equals("a") ? qa : qb;
        JobQueue loserQueue = won.id().equals("a") ? qb : qa;
        assertThat(failureOf(loserQueue.push(PushRequest.of("\"from loser\""))))
            .isInstanceOf(FencedException.class);
        winnerQueue.push(PushRequest.of("\"from winner\"")).join();
        assertThat(failureOf(loserQueue.push(PushRequest.of("\"from loser again\""))))
            .isInstanceOf(FencedException.class);

        QueueState last = store.current();
        assertThat(last.broker()).isEqualTo(won);
        assertThat(payloads(last)).containsExactly("\"from winner\"");
        assertConsecutive(store.revisions());
        assertThat(store.writes.stream().filter(s -> s.broker() != null).map(s -> s.broker().id()))
            .as("no write ever names the loser")
            .containsOnly(won.id());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aReplacedBrokerLearnsFromItsFirstLostWriteAndNeverWritesAgain() {
    WriteLog store = newObject();
    ManualClock clockA = new ManualClock(T0);
    ManualClock clockB = new ManualClock(T0.plus(ELECTION.staleAfter()).plusSeconds(1));
    AtomicReference<FencedException> fencedA = new AtomicReference<>();
    JobQueue qa = open(store, clockA);
    BrokerTenure a = acquire(qa, "a", clockA, fencedA);
    qa.push(PushRequest.of("\"a1\"")).join();

    // A pauses (no heartbeat lands: its clock stands still); B finds it stale and takes over
    JobQueue qb = open(store, clockB);
    BrokerTenure b = acquire(qb, "b", clockB, new AtomicReference<>());
    assertThat(b.record().epoch()).isEqualTo(2);
    qb.push(PushRequest.of("\"b1\"")).join();

    // A wakes up: its first write loses the compare-and-swap and it is fenced for good
    Throwable first = failureOf(qa.push(PushRequest.of("\"a2\"")));
    assertThat(first)
        .isInstanceOfSatisfying(
            FencedException.class, e -> assertThat(e.currentBroker()).contains(b.record()));
    assertThat(failureOf(a.heartbeat())).isInstanceOf(FencedException.class);
    assertThat(a.isFenced()).isTrue();
    assertThat(fencedA.get()).isNotNull();
    assertThat(fencedA.get().currentBroker().orElseThrow().id()).isEqualTo("b");
    assertThat(failureOf(qa.push(PushRequest.of("\"a3\"")))).isInstanceOf(FencedException.class);
    clockA.advance(Duration.ofMinutes(5));
    assertThat(failureOf(qa.push(PushRequest.of("\"a4\"")))).isInstanceOf(FencedException.class);

    qb.push(PushRequest.of("\"b2\"")).join();
    QueueState last = store.current();
    assertThat(payloads(last)).containsExactly("\"a1\"", "\"b1\"", "\"b2\"");
    assertThat(last.broker().id()).isEqualTo("b");
    assertConsecutive(store.revisions());
    long lastWriteOfA =
        store.writes.stream()
            .filter(s -> s.broker() != null && s.broker().id().equals("a"))
            .count();
    int firstOfB = 0;
    while (store.writes.get(firstOfB).broker() == null
        || !store.writes.get(firstOfB).broker().id().equals("b")) {
      firstOfB++;
    }
    assertThat(store.writes.subList(firstOfB, store.writes.size()))
        .as("after B's claim every write names B")
        .allMatch(s -> s.broker().id().equals("b"));
    assertThat(lastWriteOfA).isPositive();
  }

  @Test
  void aHealthyBrokerIsNeverDisplaced() {
    WriteLog store = newObject();
    ManualClock clock = new ManualClock(T0);
    JobQueue qa = open(store, clock);
    BrokerTenure a = acquire(qa, "a", clock, new AtomicReference<>());
    qa.push(PushRequest.of("\"a1\"")).join();
    int writesBefore = store.writes.size();

    clock.advance(ELECTION.staleAfter().minusMillis(1));
    JobQueue qb = open(store, clock);
    assertThatThrownBy(() -> acquire(qb, "b", clock, new AtomicReference<>()))
        .isInstanceOfSatisfying(
            BrokerActiveException.class, e -> assertThat(e.activeBroker().id()).isEqualTo("a"));
    assertThat(store.writes).hasSize(writesBefore);
    assertThat(failureOf(qb.push(PushRequest.of("\"b1\"")))).isInstanceOf(FencedException.class);

    a.heartbeat().join();
    qa.push(PushRequest.of("\"a2\"")).join();
    assertThat(payloads(store.current())).containsExactly("\"a1\"", "\"a2\"");
    assertThat(store.current().broker().heartbeatAt()).isEqualTo(clock.instant());
  }

  @Test
  void aResigningBrokerLetsTheNextOneClaimAtOnce() {
    WriteLog store = newObject();
    ManualClock clock = new ManualClock(T0);
    JobQueue qa = open(store, clock);
    BrokerTenure a = acquire(qa, "a", clock, new AtomicReference<>());
    a.close();
    assertThat(store.current().broker().heartbeatAt()).isEqualTo(ResignBrokerCommand.RESIGNED);

    JobQueue qb = open(store, clock);
    BrokerTenure b = acquire(qb, "b", clock, new AtomicReference<>());
    assertThat(b.record().epoch()).isEqualTo(2);
    assertThat(failureOf(qa.push(PushRequest.of("\"late\"")))).isInstanceOf(FencedException.class);
  }

  @Test
  void heartbeatsKeepTheRecordFreshWhileIdle() {
    WriteLog store = newObject();
    Clock clock = Clock.systemUTC();
    JobQueue qa = open(store, clock);
    BrokerTenure a =
        BrokerTenure.builder(qa, "a", "http://a:8080")
            .options(new ElectionOptions(Duration.ofMillis(50), Duration.ofSeconds(10)))
            .acquire();
    toClose.add(a);
    Instant claimedAt = a.record().heartbeatAt();
    try (BrokerDiscovery discovery = BrokerDiscovery.on(new StoreLocation(store, KEY))) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> discovery.current().orElseThrow().heartbeatAt().isAfter(claimedAt));
      BrokerRecord seen = discovery.current().orElseThrow();
      assertThat(seen.id()).isEqualTo("a");
      assertThat(seen.epoch()).isEqualTo(a.record().epoch());
    }
  }

  @Test
  void standbyWaitsForAStaleHeartbeatAndASilentBroker() throws Exception {
    WriteLog store = newObject();
    ManualClock brokerClock = new ManualClock(T0);
    JobQueue qa = open(store, brokerClock);
    BrokerTenure a = acquire(qa, "a", brokerClock, new AtomicReference<>());
    ManualClock standbyClock = new ManualClock(T0);
    AtomicBoolean answers = new AtomicBoolean(true);
    try (BrokerDiscovery discovery = BrokerDiscovery.on(new StoreLocation(store, KEY))) {
      Standby standby =
          new Standby(
              discovery,
              r -> answers.get() ? ProbeResult.healthyAnswerOf(r) : ProbeResult.refused("test"),
              ELECTION,
              Duration.ofMillis(10),
              standbyClock);
      assertThat(standby.check()).as("fresh and answering").isNull();
      answers.set(false);
      assertThat(standby.check()).as("fresh but silent").isNull();
      standbyClock.advance(ELECTION.staleAfter());
      answers.set(true);
      assertThat(standby.check()).as("stale but answering").isNull();
      answers.set(false);
      Standby.Vacancy v = standby.await();
      assertThat(v.previous()).isEqualTo(a.record());
    }
  }
}
