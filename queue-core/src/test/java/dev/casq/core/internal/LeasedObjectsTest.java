package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.CorruptStateException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.PushResult;
import dev.casq.api.QueueException;
import dev.casq.core.EngineOptions;
import dev.casq.core.QueueOptions;
import dev.casq.core.QueuePolicy;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.tck.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * However many jobs are leased, the queue object stays near its byte budget: leased jobs move into
 * immutable leased-jobs objects, and nothing a caller sees changes.
 */
class LeasedObjectsTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private final MemoryObjectStore memory = new MemoryObjectStore();
  private final String key = "queues/" + UUID.randomUUID() + ".json";
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-02T00:00:00Z"));

  private JobQueue open(int headMaxBytes) {
    return JobQueue.open(
        new StoreLocation(memory, key),
        QueueOptions.builder().clock(clock).headMaxBytes(headMaxBytes).build());
  }

  private byte[] head() {
    return memory.read(key).orElseThrow().data();
  }

  private QueueState stored() {
    return StateCodec.decode(head());
  }

  private List<String> leasedObjects() {
    return memory.list(key + ".leased/");
  }

  /** A payload of about {@code bytes} bytes, unique to {@code i}, with text JSON tools mangle. */
  private static String payload(int i, int bytes) {
    String pad = "x".repeat(Math.max(0, bytes - 80));
    return "{\"n\":"
        + i
        + ",\"exact\":1.50000000000000000001,\"s\":\"caf\\u00e9 \u00e9\","
        + "\"pad\":\""
        + pad
        + "\"}";
  }

  private static Map<String, String> pushAll(JobQueue q, int from, int n, int bytes)
      throws Exception {
    List<PushRequest> requests = new ArrayList<>(n);
    for (int i = from; i < from + n; i++) {
      requests.add(PushRequest.of(payload(i, bytes)));
    }
    List<CompletableFuture<PushResult>> futures = q.pushAll(requests);
    Map<String, String> byId = new HashMap<>();
    for (int i = 0; i < n; i++) {
      byId.put(futures.get(i).get().jobId(), requests.get(i).payloadJson());
    }
    return byId;
  }

  private static List<Job> claimAll(JobQueue q, int n) throws Exception {
    List<Job> claimed = new ArrayList<>(n);
    while (claimed.size() < n) {
      List<Job> got =
          q.claim(
                  new ClaimRequest(
                      "w",
                      LEASE,
                      Math.min(QueuePolicy.MAX_CLAIM_BATCH, n - claimed.size()),
                      Set.of()))
              .get();
      assertThat(got).isNotEmpty();
      claimed.addAll(got);
    }
    return claimed;
  }

  @Test
  void twentyThousandLeasedJobsKeepTheQueueObjectWithinItsBudget() throws Exception {
    int budget = 1 << 20;
    try (JobQueue q = open(budget)) {
      Map<String, String> pushed = new HashMap<>();
      for (int i = 0; i < 20_000; i += 2_000) {
        pushed.putAll(pushAll(q, i, 2_000, 300));
      }
      List<Job> claimed = claimAll(q, 20_000);
      assertThat(claimed).extracting(Job::id).doesNotHaveDuplicates();
      q.push(PushRequest.of("\"after\"")).get(); // one more commit after the last claim
      assertThat(head().length)
          .as("bytes of the queue object with 20,000 leased jobs")
          .isLessThanOrEqualTo(budget);
      assertThat(q.stats().get().leased()).isEqualTo(20_000);
      assertThat(stored().leasedCount()).as("counted from the head's references").isEqualTo(20_000);
      assertThat(leasedObjects()).isNotEmpty();
      assertThat(stored().leasedObjects())
          .extracting(QueueState.LeasedObjectRef::key)
          .containsExactlyInAnyOrderElementsOf(leasedObjects());
      // every leased job is still known with its payload, in the store as in the engine
      Map<String, Job> live = new HashMap<>();
      for (Job j : StateCodec.liveJobs(memory, stored())) {
        live.put(j.id(), j);
      }
      for (Job c : claimed) {
        assertThat(live.get(c.id()).status()).isEqualTo(JobStatus.LEASED);
        assertThat(live.get(c.id()).payloadJson()).isEqualTo(pushed.get(c.id()));
        assertThat(live.get(c.id()).lease().token()).isEqualTo(c.lease().token());
      }
    }
  }

  @Test
  void withoutABudgetEveryLeasedJobStaysInTheQueueObject() throws Exception {
    try (JobQueue q = open(0)) {
      pushAll(q, 0, 3_000, 400);
      claimAll(q, 3_000);
      assertThat(head().length).isGreaterThan(1 << 20);
      assertThat(leasedObjects()).isEmpty();
      assertThat(stored().leasedCount()).isEqualTo(3_000);
    }
  }

  @Test
  void expiredLeasesComeBackWithByteIdenticalPayloadsAtAnEngineThatTookOver() throws Exception {
    Map<String, String> pushed;
    List<Job> claimed;
    try (JobQueue q = open(4096)) {
      pushed = pushAll(q, 0, 200, 120);
      claimed = claimAll(q, 200);
    }
    assertThat(stored().leasedObjects()).isNotEmpty();
    assertThat(stored().liveJobs())
        .as("leased jobs written in the queue object itself")
        .filteredOn(j -> j.status() == JobStatus.LEASED)
        .hasSizeLessThan(200);
    assertThat(stored().leasedCount()).isEqualTo(200);
    try (JobQueue q = open(4096)) {
      Job one = claimed.get(17);
      Job got = q.get(one.id()).get();
      assertThat(got.status()).isEqualTo(JobStatus.LEASED);
      assertThat(got.payloadJson()).isEqualTo(pushed.get(one.id()));
      assertThat(got.lease()).isEqualTo(one.lease());
      clock.advance(LEASE.plusSeconds(1));
      List<Job> again = claimAll(q, 200);
      assertThat(again).extracting(Job::id).containsExactlyInAnyOrderElementsOf(pushed.keySet());
      for (Job j : again) {
        assertThat(j.payloadJson().getBytes(StandardCharsets.UTF_8))
            .isEqualTo(pushed.get(j.id()).getBytes(StandardCharsets.UTF_8));
        assertThat(j.attempts()).isEqualTo(2);
      }
      assertThat(q.stats().get().counters().expired()).isEqualTo(200);
    }
  }

  @Test
  void heldLeasesCanBeExtendedCompletedFailedReleasedAndCancelledAfterATakeover() throws Exception {
    List<Job> claimed;
    Map<String, String> pushed;
    try (JobQueue q = open(2048)) {
      pushed = pushAll(q, 0, 50, 200);
      claimed = claimAll(q, 50);
    }
    assertThat(stored().leasedObjects()).isNotEmpty();
    try (JobQueue q = open(2048)) {
      Job a = claimed.get(0);
      Job b = claimed.get(1);
      Job c = claimed.get(2);
      Job d = claimed.get(3);
      Job e = claimed.get(4);
      Lease extended = q.heartbeat(a.id(), a.lease().token(), Duration.ofMinutes(5)).get();
      assertThat(q.complete(b.id(), b.lease().token(), "{\"ok\":true}").get().payloadJson())
          .isEqualTo(pushed.get(b.id()));
      assertThat(q.fail(c.id(), c.lease().token(), "boom", true).get()).isEqualTo(JobStatus.QUEUED);
      q.release(d.id(), d.lease().token()).get();
      assertThat(q.cancel(e.id()).get().status()).isEqualTo(JobStatus.CANCELLED);
      assertThatThrownBy(() -> q.complete(e.id(), e.lease().token(), null).join())
          .hasCauseInstanceOf(QueueException.class);
      Job released = q.claim(new ClaimRequest("w2", LEASE, 1, Set.of())).get().get(0);
      assertThat(released.id()).isEqualTo(d.id());
      assertThat(released.payloadJson()).isEqualTo(pushed.get(d.id()));
      clock.advance(LEASE.plusSeconds(1)); // every lease but the extended one runs out
      assertThat(q.get(a.id()).get().lease().expiresAt()).isEqualTo(extended.expiresAt());
      assertThat(q.get(a.id()).get().status()).isEqualTo(JobStatus.LEASED);
      assertThat(q.stats().get().leased()).isEqualTo(1);
    }
    try (JobQueue q = open(2048)) {
      assertThat(q.get(claimed.get(0).id()).get().status()).isEqualTo(JobStatus.LEASED);
    }
  }

  @Test
  void anObjectIsDeletedOnceNoCurrentJobIsInIt() throws Exception {
    try (JobQueue q = open(2048)) {
      pushAll(q, 0, 60, 200);
      List<Job> claimed = claimAll(q, 60);
      assertThat(leasedObjects()).isNotEmpty();
      for (Job j : claimed) {
        q.complete(j.id(), j.lease().token(), null).get();
      }
      q.push(PushRequest.of("\"after\"")).get(); // the commit after the one that dropped the last
      assertThat(stored().leasedObjects()).isEmpty();
      assertThat(leasedObjects())
          .as("kept for another writer that read a head naming them")
          .isNotEmpty();
      clock.advance(LeasedObjects.DELETE_GRACE);
      q.push(PushRequest.of("\"later\"")).get(); // the first commit landed after their grace
      assertThat(leasedObjects()).isEmpty();
      assertThat(stored().counters().completed()).isEqualTo(60);
    }
    try (JobQueue q = open(2048)) {
      assertThat(q.stats().get().leased()).isZero();
    }
  }

  @Test
  void aMissingLeasedObjectStopsTheEngineWithAClearErrorAndLeavesTheQueueObjectAlone()
      throws Exception {
    try (JobQueue q = open(2048)) {
      pushAll(q, 0, 40, 200);
      claimAll(q, 40);
    }
    String missing = leasedObjects().get(0);
    memory.delete(missing);
    byte[] before = head();
    assertThatThrownBy(() -> open(2048).close())
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining(missing)
        .hasMessageContaining("missing");
    assertThat(head()).isEqualTo(before);
  }

  @Test
  void aCorruptLeasedObjectStopsTheEngineWithAClearErrorAndLeavesTheQueueObjectAlone()
      throws Exception {
    try (JobQueue q = open(2048)) {
      pushAll(q, 0, 40, 200);
      claimAll(q, 40);
    }
    String damaged = leasedObjects().get(0);
    memory.put(
        damaged,
        "{\"format\":\"casq-leased/1\",\"count\":3}\n{\"id\":".getBytes(StandardCharsets.UTF_8));
    byte[] before = head();
    assertThatThrownBy(() -> open(2048).close())
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining(damaged)
        .hasMessageContaining("cannot be read");
    assertThat(head()).isEqualTo(before);
  }

  @Test
  void aRetriedClaimGetsTheSameLeasesBackWhenTheyAreHeldOutsideTheQueueObject() throws Exception {
    List<Job> first;
    try (JobQueue q = open(1024)) {
      pushAll(q, 0, 30, 200);
      first = q.claim(new ClaimRequest("w", LEASE, 10, Set.of()).withRequestId("r-1")).get();
      q.claim(new ClaimRequest("w", LEASE, 10, Set.of()).withRequestId("r-2")).get();
    }
    assertThat(stored().leasedObjects()).isNotEmpty();
    try (JobQueue q = open(1024)) {
      List<Job> again =
          q.claim(new ClaimRequest("w", LEASE, 10, Set.of()).withRequestId("r-1")).get();
      assertThat(again)
          .extracting(Job::id)
          .containsExactlyElementsOf(first.stream().map(Job::id).toList());
      assertThat(again)
          .extracting(Job::lease)
          .containsExactlyElementsOf(first.stream().map(Job::lease).toList());
      assertThat(q.stats().get().leased()).isEqualTo(20);
    }
  }

  @Test
  void theFewLeasesLeftInAMostlyChangedObjectMoveOnAndTheObjectIsDeleted() throws Exception {
    List<Job> claimed;
    String first;
    try (JobQueue q = open(2048)) {
      pushAll(q, 0, 200, 200);
      claimed = claimAll(q, 200);
      assertThat(leasedObjects()).hasSize(1);
      first = leasedObjects().get(0);
      for (Job j : claimed.subList(0, 198)) {
        q.complete(j.id(), j.lease().token(), null).get();
      }
      q.push(PushRequest.of("\"after\"")).get();
      clock.advance(LeasedObjects.DELETE_GRACE);
      q.push(PushRequest.of("\"after\"")).get();
      assertThat(stored().leasedObjects())
          .extracting(QueueState.LeasedObjectRef::key)
          .doesNotContain(first);
      assertThat(leasedObjects()).doesNotContain(first);
      assertThat(StateCodec.liveJobs(memory, stored()))
          .filteredOn(j -> j.lease() != null)
          .extracting(Job::id)
          .containsExactlyInAnyOrder(claimed.get(198).id(), claimed.get(199).id());
    }
    try (JobQueue q = open(2048)) {
      for (Job j : claimed.subList(198, 200)) {
        assertThat(q.complete(j.id(), j.lease().token(), null).get().status())
            .isEqualTo(JobStatus.COMPLETED);
      }
      q.push(PushRequest.of("\"after\"")).get();
      clock.advance(LeasedObjects.DELETE_GRACE);
      q.push(PushRequest.of("\"after\"")).get();
      assertThat(leasedObjects()).isEmpty();
    }
  }

  @Test
  void twoEnginesSharingTheQueueLoseRacesWithoutLosingALeaseOrAnObjectTheOtherNames()
      throws Exception {
    int n = 400;
    Map<String, String> pushed = new java.util.concurrent.ConcurrentHashMap<>();
    Set<String> completed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    try (JobQueue a = open(1);
        JobQueue b = open(1)) {
      pushed.putAll(pushAll(a, 0, n / 2, 150));
      pushed.putAll(pushAll(b, n / 2, n / 2, 150));
      List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<CompletableFuture<Void>> workers = new ArrayList<>();
      for (JobQueue q : List.of(a, b, a, b)) {
        workers.add(
            CompletableFuture.runAsync(
                () -> {
                  while (completed.size() < n) {
                    List<Job> got = q.claim(new ClaimRequest("w", LEASE, 7, Set.of())).join();
                    if (got.isEmpty()) {
                      return; // no engine's view holds more ready jobs than the store (no pushes
                      // now)
                    }
                    for (Job j : got) {
                      if (!j.payloadJson().equals(pushed.get(j.id()))) {
                        wrong.add(j.id() + " came back as " + j.payloadJson());
                      }
                      q.complete(j.id(), j.lease().token(), null).join();
                      if (!completed.add(j.id())) {
                        wrong.add(j.id() + " was completed twice");
                      }
                    }
                  }
                }));
      }
      CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).get();
      assertThat(wrong).isEmpty();
      assertThat(completed).containsExactlyInAnyOrderElementsOf(pushed.keySet());
      a.push(PushRequest.of("1")).get();
      b.push(PushRequest.of("2")).get();
      assertThat(a.engine().health().state()).isEqualTo(EngineHealth.State.SERVING);
      assertThat(b.engine().health().state()).isEqualTo(EngineHealth.State.SERVING);
    }
    assertThat(stored().leasedObjects()).isEmpty();
    assertThat(leasedObjects()).as("objects left behind").isEmpty();
    assertThat(stored().counters().completed()).isEqualTo(n);
  }

  @Test
  void anotherWriterDroppingObjectsWhileAnEngineReadsThemNeverMakesOneMissing() throws Exception {
    int objects = ReadRetryingStore.RETRIES + 10; // more than an engine would read the head again
    List<Job> claimed = new ArrayList<>();
    try (JobQueue a = open(1)) {
      pushAll(a, 0, 2 * objects, 150);
      for (int i = 0; i < objects; i++) {
        claimed.addAll(a.claim(new ClaimRequest("w", LEASE, 2, Set.of())).get());
      }
      assertThat(stored().leasedObjects()).hasSize(objects);
      java.util.Iterator<Job> toComplete = claimed.iterator();
      dev.casq.storage.ObjectStore busy =
          new dev.casq.storage.tck.DelegatingObjectStore(memory) {
            @Override
            public java.util.Optional<dev.casq.storage.VersionedBytes> read(String k) {
              if (k.startsWith(key + ".leased/") && toComplete.hasNext()) {
                // the other writer finishes the jobs of an object (the oldest first, the order
                // in which the head names them) and stops naming it, while this one reads
                for (int i = 0; i < 2; i++) {
                  Job j = toComplete.next();
                  a.complete(j.id(), j.lease().token(), null).join();
                }
                a.push(PushRequest.of("0")).join();
              }
              return super.read(k);
            }
          };
      try (JobQueue b =
          JobQueue.open(
              new StoreLocation(busy, key),
              QueueOptions.builder().clock(clock).headMaxBytes(1).build())) {
        assertThat(toComplete.hasNext()).as("the other writer dropped objects meanwhile").isFalse();
        assertThat(b.engine().health().state()).isEqualTo(EngineHealth.State.SERVING);
        b.push(PushRequest.of("1")).get(); // loses the race once, builds on the other's head
        assertThat(b.stats().get().counters().completed()).isEqualTo(2L * objects);
        assertThat(b.stats().get().leased()).isZero();
      }
    }
    assertThat(stored().leasedObjects()).isEmpty();
    assertThat(leasedObjects()).as("deleted when each engine closed").isEmpty();
  }

  @Test
  void anEngineThatReadAQueueObjectJustBeforeAnotherWriterDeletedItsLeasedObjectReadsAgain()
      throws Exception {
    dev.casq.storage.VersionedBytes stale;
    try (JobQueue q = open(2048)) {
      pushAll(q, 0, 40, 200);
      List<Job> claimed = claimAll(q, 40);
      stale = memory.read(key).orElseThrow(); // names the leased-jobs object
      assertThat(stored().leasedObjects()).isNotEmpty();
      for (Job j : claimed) {
        q.complete(j.id(), j.lease().token(), null).get();
      }
      q.push(PushRequest.of("1")).get();
    }
    assertThat(leasedObjects()).isEmpty(); // the other writer deleted it
    java.util.concurrent.atomic.AtomicBoolean servedStale =
        new java.util.concurrent.atomic.AtomicBoolean();
    dev.casq.storage.ObjectStore lagging =
        new dev.casq.storage.tck.DelegatingObjectStore(memory) {
          @Override
          public java.util.Optional<dev.casq.storage.VersionedBytes> read(String k) {
            if (k.equals(key) && servedStale.compareAndSet(false, true)) {
              return java.util.Optional.of(stale); // read just before the other writer's commit
            }
            return super.read(k);
          }
        };
    try (JobQueue q =
        JobQueue.open(
            new StoreLocation(lagging, key),
            QueueOptions.builder().clock(clock).headMaxBytes(2048).build())) {
      assertThat(servedStale).isTrue();
      assertThat(q.stats().get().leased()).isZero();
      assertThat(q.stats().get().counters().completed()).isEqualTo(40);
      q.push(PushRequest.of("2")).get();
    }
  }

  @Test
  void aFailedWriteOfALeasedObjectLeavesTheLeasesInTheQueueObjectUntilAWriteSucceeds()
      throws Exception {
    java.util.concurrent.atomic.AtomicBoolean failing =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    dev.casq.storage.ObjectStore flaky =
        new dev.casq.storage.tck.DelegatingObjectStore(memory) {
          @Override
          public dev.casq.storage.Version put(String k, byte[] data) {
            if (k.startsWith(key + ".leased/") && failing.get()) {
              throw new dev.casq.storage.StorageException("refused for the test");
            }
            return super.put(k, data);
          }
        };
    try (JobQueue q =
        JobQueue.open(
            new StoreLocation(flaky, key),
            QueueOptions.builder().clock(clock).headMaxBytes(2048).build())) {
      Map<String, String> pushed = pushAll(q, 0, 40, 200);
      List<Job> claimed = claimAll(q, 40);
      assertThat(stored().leasedObjects()).isEmpty();
      assertThat(stored().liveJobs()).filteredOn(j -> j.status() == JobStatus.LEASED).hasSize(40);
      assertThat(leasedObjects()).isEmpty();
      failing.set(false);
      q.heartbeat(claimed.get(0).id(), claimed.get(0).lease().token(), LEASE).get();
      assertThat(stored().leasedObjects()).hasSize(1);
      assertThat(StateCodec.liveJobs(memory, stored()))
          .filteredOn(j -> j.lease() != null)
          .allMatch(j -> j.payloadJson().equals(pushed.get(j.id())))
          .hasSize(40);
    }
  }

  @Test
  void theLeasedObjectOfACommitThatLostItsRaceIsDeleted() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean raced =
        new java.util.concurrent.atomic.AtomicBoolean();
    List<String> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.casq.storage.ObjectStore racing =
        new dev.casq.storage.tck.DelegatingObjectStore(memory) {
          @Override
          public dev.casq.storage.Version put(String k, byte[] data) {
            dev.casq.storage.Version v = super.put(k, data);
            if (k.startsWith(key + ".leased/")) {
              written.add(k);
              if (raced.compareAndSet(false, true)) {
                // another writer replaces the queue object meanwhile: this commit loses its race
                dev.casq.storage.VersionedBytes now = memory.read(key).orElseThrow();
                memory.replace(key, now.data(), now.version());
              }
            }
            return v;
          }
        };
    try (JobQueue q =
        JobQueue.open(
            new StoreLocation(racing, key),
            QueueOptions.builder().clock(clock).headMaxBytes(2048).build())) {
      pushAll(q, 0, 40, 200);
      claimAll(q, 40);
      q.push(PushRequest.of("1")).get();
    }
    assertThat(raced).isTrue();
    assertThat(written).hasSizeGreaterThanOrEqualTo(2);
    assertThat(leasedObjects())
        .doesNotContain(written.get(0))
        .containsExactlyInAnyOrderElementsOf(
            stored().leasedObjects().stream().map(QueueState.LeasedObjectRef::key).toList());
    assertThat(stored().leasedCount()).isEqualTo(40);
  }

  @Test
  void aNegativeBudgetIsRefusedWhenTheOptionsAreBuilt() {
    assertThatThrownBy(() -> QueueOptions.builder().headMaxBytes(-1).build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("headMaxBytes must be >= 0");
    assertThat(QueueOptions.builder().headMaxBytes(0).build().engineOptions().headMaxBytes())
        .isZero();
    assertThat(QueueOptions.defaults().engineOptions().headMaxBytes())
        .isEqualTo(EngineOptions.DEFAULT_HEAD_MAX_BYTES);
  }
}
