package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.CasqException;
import dev.casq.api.ClaimRequest;
import dev.casq.api.CorruptStateException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.PayloadTooLargeException;
import dev.casq.api.PushResult;
import dev.casq.api.QueueException;
import dev.casq.core.EngineOptions;
import dev.casq.core.QueueOptions;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.tck.FaultInjectingStore;
import dev.casq.storage.tck.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The guarantees of the README that need no broker, written once and run on every store: each
 * subclass says where a fresh queue object lives.
 */
public abstract class QueueGuaranteesContract {

  /** A store and a key that no other test uses. */
  protected abstract StoreLocation newLocation() throws Exception;

  /** Pushes in the fault test; smaller on slow remote stores. */
  protected int faultTestPushes() {
    return 10_000;
  }

  protected int faultTestThreads() {
    return 64;
  }

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));

  /** The head's bound on ready jobs: 0 keeps every job in the queue object. */
  protected int headMaxReadyJobs() {
    return EngineOptions.DEFAULT_HEAD_MAX_READY_JOBS;
  }

  /** The head's byte budget: 0 keeps every leased job in the queue object. */
  protected int headMaxBytes() {
    return EngineOptions.DEFAULT_HEAD_MAX_BYTES;
  }

  private QueueOptions options() {
    return QueueOptions.builder()
        .clock(clock)
        .headMaxReadyJobs(headMaxReadyJobs())
        .headMaxBytes(headMaxBytes())
        .build();
  }

  private static QueueState stored(StoreLocation loc) {
    return StateCodec.decode(loc.store().read(loc.key()).orElseThrow().data());
  }

  @Test
  void acknowledgedPushesSurviveFaultsExactlyOnce() throws Exception {
    StoreLocation loc = newLocation();
    FaultInjectingStore faulty =
        FaultInjectingStore.builder(loc.store())
            .seed(7)
            .failBeforeWrite(0.1)
            .failAfterWrite(0.1)
            .build();
    int threads = faultTestThreads();
    int perThread = faultTestPushes() / threads;
    Set<String> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (JobQueue q =
        JobQueue.open(new StoreLocation(faulty, loc.key()), QueueOptions.defaults())) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    String payload = "{\"t\":" + thread + ",\"i\":" + i + "}";
                    PushRequest r = PushRequest.of(payload).withIdempotencyKey(thread + "/" + i);
                    while (true) { // retry the same key after an error, as a client would
                      try {
                        q.push(r).get();
                        acknowledged.add(payload);
                        break;
                      } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(CasqException.class);
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.MINUTES);
      }
      pool.shutdown();
      assertThat(faulty.faultsInjected()).isPositive();
    }
    Map<String, Integer> copies = new HashMap<>();
    Segments.liveJobs(loc.store(), stored(loc))
        .forEach(j -> copies.merge(j.payloadJson(), 1, Integer::sum));
    assertThat(copies.keySet()).isEqualTo(acknowledged);
    assertThat(copies.values()).allMatch(n -> n == 1);
    assertThat(acknowledged).hasSize(threads * perThread);
  }

  @Test
  void aJobIsNeverHeldByTwoLiveLeasesAndExpiryMakesItClaimableAgain() throws Exception {
    StoreLocation loc = newLocation();
    try (JobQueue q = JobQueue.open(loc, options())) {
      for (int i = 0; i < 20; i++) {
        q.push(PushRequest.of(Integer.toString(i))).get();
      }
      Set<String> held = new HashSet<>();
      for (int w = 0; w < 5; w++) {
        for (Job j : q.claim(new ClaimRequest("w" + w, Duration.ofSeconds(30), 10, null)).get()) {
          assertThat(held.add(j.id())).as("leased twice: %s", j.id()).isTrue();
        }
      }
      assertThat(held).hasSize(20);
      assertThat(q.claim(ClaimRequest.one("late")).get()).isEmpty();
      clock.advance(Duration.ofSeconds(31));
      List<Job> again = q.claim(new ClaimRequest("w9", Duration.ofSeconds(30), 50, null)).get();
      assertThat(again).hasSize(20).allMatch(j -> j.attempts() == 2);
      assertThat(stored(loc).counters().expired()).isEqualTo(20);
    }
  }

  @Test
  void sameIdempotencyKeyCreatesOneJobEvenAfterAnAmbiguousFailure() throws Exception {
    StoreLocation loc = newLocation();
    FaultInjectingStore faulty = FaultInjectingStore.builder(loc.store()).seed(1).build();
    try (JobQueue q = JobQueue.open(new StoreLocation(faulty, loc.key()), options())) {
      // the write lands but the answer is lost: the engine re-reads and finds its commit
      faulty.failNextWrite(FaultInjectingStore.Fault.AFTER_WRITE);
      PushResult first = q.push(PushRequest.of("{\"a\":1}").withIdempotencyKey("order-7")).get();
      PushResult retry = q.push(PushRequest.of("{\"a\":1}").withIdempotencyKey("order-7")).get();
      assertThat(retry.jobId()).isEqualTo(first.jobId());
      assertThat(retry.duplicate()).isTrue();
      // the write does not land and the answer is lost: no job, and the retry creates one
      faulty.failNextWrite(FaultInjectingStore.Fault.BEFORE_WRITE);
      PushResult second = q.push(PushRequest.of("{\"b\":2}").withIdempotencyKey("order-8")).get();
      assertThat(q.push(PushRequest.of("{\"b\":2}").withIdempotencyKey("order-8")).get().jobId())
          .isEqualTo(second.jobId());
    }
    assertThat(Segments.liveJobs(loc.store(), stored(loc))).hasSize(2);
  }

  @Test
  void readyJobsAreServedByPriorityThenFifo() throws Exception {
    StoreLocation loc = newLocation();
    try (JobQueue q = JobQueue.open(loc, options())) {
      List<String> low = new ArrayList<>();
      List<String> high = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        low.add(q.push(PushRequest.of("1")).get().jobId());
        high.add(q.push(PushRequest.of("2").withPriority(5)).get().jobId());
      }
      List<String> order = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        order.add(q.claim(ClaimRequest.one("w")).get().get(0).id());
      }
      List<String> expected = new ArrayList<>(high);
      expected.addAll(low);
      assertThat(order).isEqualTo(expected);
    }
  }

  @Test
  void aCorruptOrForeignObjectIsNeverOverwritten() throws Exception {
    StoreLocation loc = newLocation();
    ObjectStore store = loc.store();
    for (String content :
        List.of("{\"format\":\"casq-queue/99\"}", "not json at all", "{\"jobs\":[]}", "[1,2,3]")) {
      store.put(loc.key(), content.getBytes());
      assertThatThrownBy(() -> JobQueue.open(loc, options()))
          .isInstanceOf(CorruptStateException.class)
          .hasMessageContaining("refusing to touch it");
      assertThat(new String(store.read(loc.key()).orElseThrow().data())).isEqualTo(content);
    }
  }

  @Test
  void badInputGetsAClearErrorAndChangesNothing() throws Exception {
    StoreLocation loc = newLocation();
    try (JobQueue q =
        JobQueue.open(
            loc,
            QueueOptions.builder()
                .clock(clock)
                .headMaxReadyJobs(headMaxReadyJobs())
                .headMaxBytes(headMaxBytes())
                .maxPayloadBytes(64)
                .build())) {
      String id = q.push(PushRequest.of("{\"ok\":true}")).get().jobId();
      Job leased = q.claim(ClaimRequest.one("w")).get().get(0);
      long revision = stored(loc).revision();
      List<CompletableFuture<?>> bad =
          List.of(
              q.push(PushRequest.of("{not json")),
              q.push(PushRequest.of("{\"a\":1} trailing")),
              q.push(PushRequest.of("\"" + "x".repeat(100) + "\"")),
              q.push(PushRequest.of("1").withMaxAttempts(0)),
              q.complete("j999", "nope", null),
              q.complete(id, "wrong-token", null),
              q.heartbeat(id, leased.lease().token(), Duration.ofDays(365)),
              q.claim(new ClaimRequest("w", null, 0, null)),
              q.cancel("j12345"));
      for (CompletableFuture<?> f : bad) {
        assertThatThrownBy(f::get).hasCauseInstanceOf(QueueException.class);
      }
      assertThatThrownBy(bad.get(0)::get)
          .hasCauseInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("not valid JSON");
      assertThatThrownBy(bad.get(2)::get).hasCauseInstanceOf(PayloadTooLargeException.class);
      assertThatThrownBy(bad.get(4)::get).hasCauseInstanceOf(JobNotFoundException.class);
      assertThatThrownBy(bad.get(5)::get).hasCauseInstanceOf(LeaseRejectedException.class);
      assertThat(stored(loc).revision()).isEqualTo(revision);
      q.complete(id, leased.lease().token(), null).get();
    }
  }
}
