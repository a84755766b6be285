package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.IdempotencyBudgetException;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.core.QueuePolicy;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.VersionedBytes;
import dev.casq.storage.tck.DelegatingObjectStore;
import dev.casq.storage.tck.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The dedupe window is defined by time: a push with a key within {@code idempotencyRetention} of
 * its job's end gets the original job back, however many other keyed jobs came and went, also after
 * a restart (from the key index objects next to the archives).
 */
class DedupeWindowTest {
  private static final String KEY = "queues/dedupe.json";
  private static final Instant T0 = Instant.parse("2026-11-25T17:30:00Z");

  /** Counts reads of key index objects and of archive objects. */
  static final class ReadCounting extends DelegatingObjectStore {
    final AtomicInteger indexReads = new AtomicInteger();
    final AtomicInteger archiveReads = new AtomicInteger();

    ReadCounting(ObjectStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<VersionedBytes> read(String key) {
      if (key.contains(".keys/")) {
        indexReads.incrementAndGet();
      } else if (key.contains(".archive/")) {
        archiveReads.incrementAndGet();
      }
      return super.read(key);
    }
  }

  /** Pushes {@code keys} (one job each), claims and completes them all, in batches. */
  static List<String> pushAndFinish(JobQueue q, List<String> keys) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int from = 0; from < keys.size(); from += 1000) {
      List<PushRequest> batch = new ArrayList<>();
      for (String k : keys.subList(from, Math.min(keys.size(), from + 1000))) {
        batch.add(PushRequest.of("{}").withIdempotencyKey(k));
      }
      for (CompletableFuture<PushResult> f : q.pushAll(batch)) {
        ids.add(f.get().jobId());
      }
      int left = batch.size();
      while (left > 0) {
        List<Job> claimed = q.claim(new ClaimRequest("w", null, 1000, null)).get();
        List<CompletableFuture<Job>> done = new ArrayList<>();
        for (Job j : claimed) {
          done.add(q.complete(j.id(), j.lease().token(), null));
        }
        for (CompletableFuture<Job> f : done) {
          f.get();
        }
        left -= claimed.size();
      }
    }
    return ids;
  }

  private static List<String> keys(String prefix, int n) {
    List<String> keys = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      keys.add(prefix + i);
    }
    return keys;
  }

  @Test
  void aKeyIsStillKnownAfter25000OtherKeyedJobsAtDefaultSettings() throws Exception {
    try (JobQueue q =
        JobQueue.open("mem://dedupe-" + System.nanoTime() + "/q.json", QueueOptions.defaults())) {
      String original = pushAndFinish(q, List.of("K")).get(0);
      pushAndFinish(q, keys("other-", 25_000));
      PushResult again = q.push(PushRequest.of("{}").withIdempotencyKey("K")).get();
      assertThat(again.duplicate()).isTrue();
      assertThat(again.jobId()).isEqualTo(original);
      assertThat(q.stats().get().rememberedKeys()).isEqualTo(25_001);
    }
  }

  @Test
  void theWindowIsTheRetentionWhateverTheCountAndSurvivesARestart() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    ManualClock clock = new ManualClock(T0);
    QueueOptions options =
        QueueOptions.builder().clock(clock).idempotencyRetention(Duration.ofMinutes(5)).build();
    String original;
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, KEY), options)) {
      original = pushAndFinish(q, List.of("K")).get(0);
      pushAndFinish(q, keys("o-", 3000));
      clock.advance(Duration.ofMinutes(5).minusSeconds(1));
      PushResult inside = q.push(PushRequest.of("{}").withIdempotencyKey("K")).get();
      assertThat(inside.jobId()).isEqualTo(original);
      assertThat(inside.duplicate()).isTrue();
    }
    try (JobQueue again = JobQueue.open(new StoreLocation(memory, KEY), options)) {
      PushResult restarted = again.push(PushRequest.of("{}").withIdempotencyKey("o-2999")).get();
      assertThat(restarted.duplicate()).isTrue();
      clock.advance(Duration.ofSeconds(2)); // past the window (kept to the end of its second)
      PushResult after = again.push(PushRequest.of("{}").withIdempotencyKey("K")).get();
      assertThat(after.duplicate()).isFalse();
      assertThat(after.jobId()).isNotEqualTo(original);
      assertThat(again.stats().get().rememberedKeys()).isZero();
    }
  }

  @Test
  void aStartingEngineRemembersKeysFromTheKeyIndexNotFromTheArchives() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    ManualClock clock = new ManualClock(T0);
    QueueOptions options = QueueOptions.builder().clock(clock).build();
    List<String> ids;
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, KEY), options)) {
      ids = pushAndFinish(q, keys("k-", 5000));
      q.stats().get();
    }
    QueueState stored = StateCodec.decode(memory.read(KEY).orElseThrow().data());
    assertThat(stored.archives()).hasSizeGreaterThan(1);
    for (QueueState.ArchiveRef a : stored.archives()) {
      assertThat(memory.read(KeyIndexObject.keyFor(a.key()))).isPresent();
      memory.delete(a.key()); // the jobs are gone; their key index stays
    }
    ReadCounting counting = new ReadCounting(memory);
    try (JobQueue again = JobQueue.open(new StoreLocation(counting, KEY), options)) {
      assertThat(counting.indexReads.get()).isEqualTo(stored.archives().size());
      assertThat(counting.archiveReads.get()).isZero();
      for (int i : new int[] {0, 1234, 4999}) {
        PushResult r = again.push(PushRequest.of("{}").withIdempotencyKey("k-" + i)).get();
        assertThat(r.duplicate()).isTrue();
        assertThat(r.jobId()).isEqualTo(ids.get(i));
      }
    }
  }

  @Test
  void aSecondEmbeddedEngineOnTheSameObjectLearnsEveryKeyTheOtherArchived() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    QueueOptions options = QueueOptions.builder().clock(new ManualClock(T0)).build();
    try (JobQueue a = JobQueue.open(new StoreLocation(memory, KEY), options);
        JobQueue b = JobQueue.open(new StoreLocation(memory, KEY), options)) {
      List<String> ids = pushAndFinish(a, keys("a-", 4000));
      a.stats().get();
      assertThat(StateCodec.decode(memory.read(KEY).orElseThrow().data()).archives())
          .hasSizeGreaterThan(1);
      // b has not read the object since it opened: its write loses, it reads the object and the
      // key indexes of the archives it names (several at once), and applies the pushes again
      for (int i : new int[] {0, 2500, 3999}) {
        PushResult r = b.push(PushRequest.of("{}").withIdempotencyKey("a-" + i)).get();
        assertThat(r.duplicate()).isTrue();
        assertThat(r.jobId()).isEqualTo(ids.get(i));
      }
      assertThat(b.engine().metrics().conflicts()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void anArchiveWithoutAReadableKeyIndexIsReadInstead() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    ManualClock clock = new ManualClock(T0);
    QueueOptions options = QueueOptions.builder().clock(clock).build();
    String id;
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, KEY), options)) {
      id = pushAndFinish(q, List.of("old")).get(0);
      q.stats().get();
      clock.advance(Duration.ofSeconds(10));
      q.stats().get(); // the archive is written by now
    }
    QueueState stored = StateCodec.decode(memory.read(KEY).orElseThrow().data());
    assertThat(stored.archives()).hasSize(1);
    memory.put(KeyIndexObject.keyFor(stored.archives().get(0).key()), "garbage".getBytes());
    ReadCounting counting = new ReadCounting(memory);
    try (JobQueue again = JobQueue.open(new StoreLocation(counting, KEY), options)) {
      assertThat(counting.archiveReads.get()).isEqualTo(1);
      PushResult r = again.push(PushRequest.of("{}").withIdempotencyKey("old")).get();
      assertThat(r.duplicate()).isTrue();
      assertThat(r.jobId()).isEqualTo(id);
    }
  }

  @Test
  void atTheBudgetNewKeysArePushedBackLoudlyAndNothingIsForgotten() throws Exception {
    ManualClock clock = new ManualClock(T0);
    QueueOptions options =
        QueueOptions.builder()
            .clock(clock)
            .idempotencyMemoryBudget(QueuePolicy.MIN_IDEMPOTENCY_MEMORY_BUDGET)
            .idempotencyRetention(Duration.ofMinutes(5))
            .build();
    long capacity = options.policy().idempotencyKeyCapacity();
    try (JobQueue q = JobQueue.open(new StoreLocation(new MemoryObjectStore(), KEY), options)) {
      List<String> ids = pushAndFinish(q, keys("k-", (int) capacity));
      assertThatThrownBy(() -> q.push(PushRequest.of("{}").withIdempotencyKey("one-more")).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IdempotencyBudgetException.class)
          .hasMessageContaining("idempotencyMemoryBudget");
      assertThatThrownBy(() -> q.push(PushRequest.of("{}").withIdempotencyKey("two-more")).get())
          .hasCauseInstanceOf(IdempotencyBudgetException.class);
      assertThat(q.engine().metrics().keyBudgetRefusals()).isEqualTo(2);
      // known keys still answer, unkeyed pushes are not affected
      PushResult known = q.push(PushRequest.of("{}").withIdempotencyKey("k-0")).get();
      assertThat(known.jobId()).isEqualTo(ids.get(0));
      assertThat(known.duplicate()).isTrue();
      assertThat(q.push(PushRequest.of("{}")).get().duplicate()).isFalse();
      QueueStats stats = q.stats().get();
      assertThat(stats.counters().pushed()).isEqualTo(capacity + 1);

      clock.advance(Duration.ofMinutes(5).plusSeconds(1)); // the window passes: room again
      PushResult later = q.push(PushRequest.of("{}").withIdempotencyKey("one-more")).get();
      assertThat(later.duplicate()).isFalse();
    }
  }

  @Test
  void theBudgetIsValidatedWhenOptionsAreBuilt() {
    assertThatThrownBy(() -> QueueOptions.builder().idempotencyMemoryBudget(1000).build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("idempotencyMemoryBudget must be from 1048576");
    @SuppressWarnings("deprecation")
    QueueOptions alias = QueueOptions.builder().maxRememberedKeys(100_000).build();
    assertThat(alias.policy().idempotencyKeyCapacity()).isEqualTo(100_000);
    assertThat(QueueOptions.defaults().policy().idempotencyRetention())
        .isEqualTo(Duration.ofMinutes(5));
  }
}
