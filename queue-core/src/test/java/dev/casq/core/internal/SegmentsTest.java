package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.CommitOutcomeUnknownException;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Version;
import dev.casq.storage.tck.DelegatingObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The backlog beyond the head's bound lives in segment objects; nothing a caller sees changes. */
class SegmentsTest {
  private static final int HEAD_MAX = 8;
  private final MemoryObjectStore memory = new MemoryObjectStore();
  private final String key = "queues/" + UUID.randomUUID() + ".json";

  private static QueueOptions segmented(int headMax) {
    return QueueOptions.builder().headMaxReadyJobs(headMax).build();
  }

  private JobQueue open(ObjectStore store, int headMax) {
    return JobQueue.open(new StoreLocation(store, key), segmented(headMax));
  }

  private QueueState stored() {
    return StateCodec.decode(memory.read(key).orElseThrow().data());
  }

  private List<String> segmentObjects() {
    return memory.list(key + ".seg/");
  }

  private record Pushed(String id, int priority, long seq) {}

  private static final Comparator<Pushed> READY =
      Comparator.comparingInt((Pushed p) -> -p.priority()).thenComparingLong(Pushed::seq);

  private static List<Pushed> pushMany(JobQueue q, int n, SplittableRandom random)
      throws Exception {
    List<Pushed> pushed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int priority = new int[] {0, 1, 5}[random.nextInt(3)];
      String id = q.push(PushRequest.of(Integer.toString(i)).withPriority(priority)).get().jobId();
      pushed.add(new Pushed(id, priority, Long.parseLong(id.substring(1))));
    }
    return pushed;
  }

  @Test
  void claimsFollowPriorityThenFifoAcrossSegmentBoundaries() throws Exception {
    SplittableRandom random = new SplittableRandom(42);
    try (JobQueue q = open(memory, HEAD_MAX)) {
      List<Pushed> pushed = pushMany(q, 300, random);
      QueueState s = stored();
      assertThat(s.segments()).hasSizeGreaterThan(3);
      assertThat(s.headReadyCount()).isLessThanOrEqualTo(HEAD_MAX);
      assertThat(q.stats().get().ready()).isEqualTo(300);
      List<String> order = new ArrayList<>();
      while (order.size() < pushed.size()) {
        int limit = 1 + random.nextInt(7);
        for (Job j : q.claim(new ClaimRequest("w", null, limit, Set.of())).get()) {
          order.add(j.id());
        }
      }
      List<Pushed> expected = new ArrayList<>(pushed);
      expected.sort(READY);
      assertThat(order).isEqualTo(expected.stream().map(Pushed::id).toList());
      assertThat(q.claim(ClaimRequest.one("w")).get()).isEmpty();
      q.push(PushRequest.of("\"last\"")).get(); // a commit after the last segment was read
    }
    assertThat(stored().segments()).isEmpty();
    assertThat(segmentObjects()).as("segments read to their end are deleted").isEmpty();
  }

  @Test
  void pushesWhileDrainingKeepTheOrderOfWhatIsReady() throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    try (JobQueue q = open(memory, HEAD_MAX)) {
      List<Pushed> waiting = new ArrayList<>(pushMany(q, 60, random));
      int claimed = 0;
      for (int round = 0; round < 40; round++) {
        waiting.addAll(pushMany(q, random.nextInt(4), random));
        waiting.sort(READY);
        List<Job> got = q.claim(new ClaimRequest("w", null, 1 + random.nextInt(3), Set.of())).get();
        for (Job j : got) {
          assertThat(j.id()).isEqualTo(waiting.remove(0).id());
          claimed++;
        }
      }
      assertThat(claimed).isPositive();
      assertThat(q.stats().get().ready()).isEqualTo(waiting.size());
    }
  }

  @Test
  void aRestartedEngineServesTheSegmentedBacklogInOrder() throws Exception {
    List<Pushed> pushed;
    try (JobQueue q = open(memory, HEAD_MAX)) {
      pushed = pushMany(q, 100, new SplittableRandom(3));
      q.claim(new ClaimRequest("w", null, 5, Set.of())).get();
    }
    pushed.sort(READY);
    try (JobQueue q = open(memory, HEAD_MAX)) {
      List<String> order = new ArrayList<>();
      List<Job> got;
      while (!(got = q.claim(new ClaimRequest("w", null, 10, Set.of())).get()).isEmpty()) {
        got.forEach(j -> order.add(j.id()));
      }
      assertThat(order)
          .isEqualTo(pushed.subList(5, pushed.size()).stream().map(Pushed::id).toList());
    }
    // and one with segments off reads them too
    try (JobQueue q = open(memory, 0)) {
      assertThat(q.stats().get().ready()).isZero();
      assertThat(q.stats().get().leased()).isEqualTo(100);
    }
  }

  @Test
  void getAndCancelReachAJobInASegment() throws Exception {
    try (JobQueue q = open(memory, HEAD_MAX)) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        ids.add(
            q.push(PushRequest.of("{\"n\":" + i + "}").withIdempotencyKey("k" + i)).get().jobId());
      }
      QueueState s = stored();
      Set<String> inHead = new HashSet<>();
      s.liveJobs().forEach(j -> inHead.add(j.id()));
      String segmented =
          ids.stream().filter(id -> !inHead.contains(id)).reduce((a, b) -> b).orElseThrow();
      assertThat(s.job(segmented)).isNull();

      Job got = q.get(segmented).get();
      assertThat(got.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(got.payloadJson()).isEqualTo("{\"n\":" + ids.indexOf(segmented) + "}");

      assertThat(q.cancel(segmented).get().status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(q.get(segmented).get().status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(stored().cancelledInSegments()).containsExactly(segmented);
      assertThatThrownBy(() -> q.cancel(segmented).get())
          .hasCauseInstanceOf(JobNotFoundException.class);
      // its key still answers with the cancelled job
      assertThat(q.push(PushRequest.of("0").withIdempotencyKey("k" + ids.indexOf(segmented))).get())
          .isEqualTo(new PushResult(segmented, true));
      assertThat(q.stats().get().ready()).isEqualTo(39);

      List<String> order = new ArrayList<>();
      List<Job> batch;
      while (!(batch = q.claim(new ClaimRequest("w", null, 3, Set.of())).get()).isEmpty()) {
        batch.forEach(j -> order.add(j.id()));
      }
      List<String> expected = new ArrayList<>(ids);
      expected.remove(segmented);
      assertThat(order).isEqualTo(expected);
      q.push(PushRequest.of("1")).get();
      assertThat(stored().cancelledInSegments()).isEmpty();
    }
  }

  @Test
  void idempotencyKeysOfJobsInSegmentsDedupeAlsoAfterARestart() throws Exception {
    List<String> ids = new ArrayList<>();
    try (JobQueue q = open(memory, HEAD_MAX)) {
      for (int i = 0; i < 50; i++) {
        ids.add(q.push(PushRequest.of("1").withIdempotencyKey("key-" + i)).get().jobId());
      }
      assertThat(stored().segments()).isNotEmpty();
      for (int i = 0; i < 50; i++) {
        assertThat(q.push(PushRequest.of("2").withIdempotencyKey("key-" + i)).get())
            .isEqualTo(new PushResult(ids.get(i), true));
      }
    }
    try (JobQueue q = open(memory, HEAD_MAX)) {
      for (int i = 0; i < 50; i++) {
        assertThat(q.push(PushRequest.of("2").withIdempotencyKey("key-" + i)).get())
            .isEqualTo(new PushResult(ids.get(i), true));
      }
      assertThat(q.stats().get().ready()).isEqualTo(50);
    }
  }

  @Test
  void aQueueObjectOfTheFirstFormatIsUpgradedByItsFirstCommit() throws Exception {
    try (JobQueue q = open(memory, 0)) {
      for (int i = 0; i < 30; i++) {
        q.push(PushRequest.of(Integer.toString(i))).get();
      }
    }
    assertThat(new String(memory.read(key).orElseThrow().data(), StandardCharsets.UTF_8))
        .startsWith("{\"format\":\"casq-queue/1\"");
    try (JobQueue q = open(memory, HEAD_MAX)) {
      q.push(PushRequest.of("30")).get();
      String head = new String(memory.read(key).orElseThrow().data(), StandardCharsets.UTF_8);
      assertThat(head).startsWith("{\"format\":\"casq-queue/2\"");
      assertThat(stored().headReadyCount()).isLessThanOrEqualTo(HEAD_MAX);
      List<String> payloads = new ArrayList<>();
      List<Job> batch;
      while (!(batch = q.claim(new ClaimRequest("w", null, 4, Set.of())).get()).isEmpty()) {
        batch.forEach(j -> payloads.add(j.payloadJson()));
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i <= 30; i++) {
        expected.add(Integer.toString(i));
      }
      assertThat(payloads).isEqualTo(expected);
    }
  }

  @Test
  void theSegmentOfALostCommitIsDeleted() throws Exception {
    AtomicReference<JobQueue> other = new AtomicReference<>();
    List<String> written = new ArrayList<>();
    DelegatingObjectStore racing =
        new DelegatingObjectStore(memory) {
          private boolean raced;

          @Override
          public Version put(String k, byte[] data) {
            written.add(k);
            return super.put(k, data);
          }

          @Override
          public Version replace(String k, byte[] data, Version expected) {
            if (!raced
                && new String(data, 0, 40, StandardCharsets.UTF_8).contains("casq-queue/2")) {
              raced = true;
              other.get().push(PushRequest.of("\"other\"")).join(); // this write now loses
            }
            return super.replace(k, data, expected);
          }
        };
    try (JobQueue q = open(racing, HEAD_MAX);
        JobQueue b = open(memory, 0)) {
      other.set(b);
      for (int i = 0; i < 12; i++) {
        q.push(PushRequest.of(Integer.toString(i))).get(10, TimeUnit.SECONDS);
      }
      assertThat(q.engine().metrics().conflicts()).isPositive();
    }
    String first = written.stream().filter(k -> k.contains(".seg/")).findFirst().orElseThrow();
    assertThat(memory.read(first)).as("segment of the lost commit").isEmpty();
    QueueState s = stored();
    assertThat(s.segments()).isNotEmpty();
    for (QueueState.SegmentRef ref : s.segments()) {
      assertThat(memory.read(ref.key())).isPresent();
    }
    assertThat(Segments.liveJobs(memory, s))
        .extracting(Job::payloadJson)
        .containsExactlyInAnyOrder(
            "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "\"other\"");
  }

  @Test
  void theSegmentOfACommitOfUnknowableOutcomeIsKept() throws Exception {
    AtomicReference<JobQueue> other = new AtomicReference<>();
    List<String> written = new ArrayList<>();
    DelegatingObjectStore unknowable =
        new DelegatingObjectStore(memory) {
          private boolean done;

          @Override
          public Version put(String k, byte[] data) {
            written.add(k);
            return super.put(k, data);
          }

          @Override
          public Version replace(String k, byte[] data, Version expected) {
            if (!done && new String(data, 0, 40, StandardCharsets.UTF_8).contains("casq-queue/2")) {
              done = true;
              for (int i = 0; i < QueueState.RECENT_COMMITS + 5; i++) {
                other.get().push(PushRequest.of("\"other\"")).join(); // beyond the commit marks
              }
              throw new OutcomeUnknownException("injected: no answer", null);
            }
            return super.replace(k, data, expected);
          }
        };
    try (JobQueue q = open(unknowable, HEAD_MAX);
        JobQueue b = open(memory, 0)) {
      other.set(b);
      List<CompletableFuture<PushResult>> pushes = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        pushes.add(q.push(PushRequest.of(Integer.toString(i))));
        try {
          pushes.get(i).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(CommitOutcomeUnknownException.class);
        }
      }
      assertThat(pushes).anyMatch(CompletableFuture::isCompletedExceptionally);
    }
    String first = written.stream().filter(k -> k.contains(".seg/")).findFirst().orElseThrow();
    assertThat(memory.read(first)).as("never deleted for an unknowable outcome").isPresent();
  }

  @Test
  void theHeadStaysUnderItsBoundWhileAHundredThousandJobsArePushed() throws Exception {
    int headMax = 1000;
    try (JobQueue q = open(memory, headMax)) {
      int maxHeadBytes = 0;
      for (int round = 0; round < 100; round++) {
        List<PushRequest> batch = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          batch.add(PushRequest.of("{\"to\":\"someone@example.com\",\"n\":" + i + "}"));
        }
        CompletableFuture.allOf(q.pushAll(batch).toArray(CompletableFuture[]::new))
            .get(60, TimeUnit.SECONDS);
        maxHeadBytes = Math.max(maxHeadBytes, memory.read(key).orElseThrow().data().length);
        assertThat(stored().headReadyCount()).isLessThanOrEqualTo(headMax);
      }
      assertThat(q.stats().get().ready()).isEqualTo(100_000);
      assertThat(maxHeadBytes).isLessThan(1 << 20);
      assertThat(q.claim(new ClaimRequest("w", Duration.ofMinutes(1), 100, Set.of())).get())
          .extracting(Job::id)
          .first()
          .isEqualTo("j1");
    }
  }

  @Test
  void segmentsOfOneSizeTierAreMergedSoTheHeadNamesFew() throws Exception {
    SplittableRandom random = new SplittableRandom(11);
    try (JobQueue q = open(memory, HEAD_MAX)) {
      List<Pushed> pushed = new ArrayList<>();
      Set<String> cancelled = new HashSet<>();
      int mostNamed = 0;
      for (int round = 0; round < 120; round++) {
        pushed.addAll(pushMany(q, 5, random));
        QueueState s = stored();
        mostNamed = Math.max(mostNamed, s.segments().size());
        if (round % 10 == 9) { // cancel a job that waits in a segment, before a merge takes it
          Set<String> inHead = new HashSet<>();
          s.liveJobs().forEach(j -> inHead.add(j.id()));
          String victim =
              pushed.stream()
                  .map(Pushed::id)
                  .filter(id -> !inHead.contains(id) && !cancelled.contains(id))
                  .findFirst()
                  .orElseThrow();
          q.cancel(victim).get();
          cancelled.add(victim);
        }
      }
      QueueState s = stored();
      // 600 jobs in spills of 5: tiers 0 to 2 of each kind, at most 7 segments per tier
      int bound = 3 * (Segments.MERGE_FAN_IN - 1);
      assertThat(mostNamed).isLessThanOrEqualTo(bound);
      assertThat(s.segments().size()).isLessThanOrEqualTo(bound);
      assertThat(segmentObjects())
          .as("merged-away segments are deleted once the merge landed")
          .hasSameElementsAs(s.segments().stream().map(QueueState.SegmentRef::key).toList());
      assertThat(s.segments()).anyMatch(r -> r.count() > 2 * HEAD_MAX); // merged ones
      assertThat(q.stats().get().ready()).isEqualTo(pushed.size() - cancelled.size());

      List<String> order = new ArrayList<>();
      List<Job> batch;
      while (!(batch = q.claim(new ClaimRequest("w", null, 1 + random.nextInt(7), Set.of())).get())
          .isEmpty()) {
        batch.forEach(j -> order.add(j.id()));
      }
      List<Pushed> expected = new ArrayList<>(pushed);
      expected.removeIf(p -> cancelled.contains(p.id()));
      expected.sort(READY);
      assertThat(order).isEqualTo(expected.stream().map(Pushed::id).toList());
      q.push(PushRequest.of("\"last\"")).get();
    }
    assertThat(stored().cancelledInSegments()).isEmpty();
    assertThat(segmentObjects()).isEmpty();
  }

  @Test
  void scheduledJobsBeyondTheBoundWaitInScheduledSegmentsAndBecomeReadyWhenDue() throws Exception {
    dev.casq.storage.tck.ManualClock clock =
        new dev.casq.storage.tck.ManualClock(java.time.Instant.parse("2026-12-01T00:00:00Z"));
    SplittableRandom random = new SplittableRandom(5);
    QueueOptions options = QueueOptions.builder().clock(clock).headMaxReadyJobs(HEAD_MAX).build();
    record Delayed(String id, int priority, long seq, int minutes) {}
    List<Delayed> pushed = new ArrayList<>();
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, key), options)) {
      for (int i = 0; i < 200; i++) {
        int priority = random.nextInt(3);
        int minutes = 1 + random.nextInt(60);
        String id =
            q.push(
                    PushRequest.of(Integer.toString(i))
                        .withPriority(priority)
                        .withDelay(Duration.ofMinutes(minutes)))
                .get()
                .jobId();
        pushed.add(new Delayed(id, priority, Long.parseLong(id.substring(1)), minutes));
      }
      QueueState s = stored();
      assertThat(s.headScheduledCount()).isLessThanOrEqualTo(HEAD_MAX);
      assertThat(s.segments()).anyMatch(QueueState.SegmentRef::scheduled);
      assertThat(q.stats().get().scheduled()).isEqualTo(200);
      assertThat(q.stats().get().ready()).isZero();

      // get and cancel reach a job in a scheduled segment
      Set<String> inHead = new HashSet<>();
      s.liveJobs().forEach(j -> inHead.add(j.id()));
      Delayed victim =
          pushed.stream().filter(d -> !inHead.contains(d.id())).findFirst().orElseThrow();
      assertThat(q.get(victim.id()).get().status()).isEqualTo(JobStatus.QUEUED);
      assertThat(q.cancel(victim.id()).get().status()).isEqualTo(JobStatus.CANCELLED);
      assertThat(stored().cancelledInScheduledSegments()).containsExactly(victim.id());
      assertThat(q.stats().get().scheduled()).isEqualTo(199);
      pushed.remove(victim);

      // minute by minute, exactly the jobs due by then are claimable, by priority then push order
      for (int minute = 1; minute <= 61; minute++) {
        clock.advance(Duration.ofMinutes(1));
        int now = minute;
        List<Delayed> due =
            new ArrayList<>(pushed.stream().filter(d -> d.minutes() <= now).toList());
        due.sort(
            Comparator.comparingInt((Delayed d) -> -d.priority()).thenComparingLong(Delayed::seq));
        List<String> claimed = new ArrayList<>();
        List<Job> batch;
        while (!(batch =
                q.claim(new ClaimRequest("w", Duration.ofHours(2), 1 + random.nextInt(5), Set.of()))
                    .get())
            .isEmpty()) {
          batch.forEach(j -> claimed.add(j.id()));
        }
        assertThat(claimed)
            .as("claimed at minute %d", minute)
            .isEqualTo(due.stream().map(Delayed::id).toList());
        pushed.removeAll(due);
      }
      assertThat(pushed).isEmpty();
      assertThat(q.stats().get().scheduled()).isZero();
      q.push(PushRequest.of("\"last\"")).get();
    }
    assertThat(stored().segments()).isEmpty();
    assertThat(stored().cancelledInScheduledSegments()).isEmpty();
    assertThat(segmentObjects()).isEmpty();
  }
}
