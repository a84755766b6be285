package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.ObjectStore;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;
import dev.casq.storage.tck.DelegatingObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The idempotency keys of jobs in segments come from the segments' key index objects: an engine
 * that starts reads those, not the segments, and a keyed push probes one table.
 */
class SegmentKeyIndexTest {
  private static final int HEAD_MAX = 8;
  private final MemoryObjectStore memory = new MemoryObjectStore();
  private final String key = "queues/" + UUID.randomUUID() + ".json";

  /** Counts the reads of segment objects and of their key index objects. */
  private static final class CountingStore extends DelegatingObjectStore {
    final AtomicInteger segmentReads = new AtomicInteger();
    final AtomicInteger indexReads = new AtomicInteger();

    CountingStore(ObjectStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<VersionedBytes> read(String k) {
      if (k.contains(".seg/")) {
        segmentReads.incrementAndGet();
      } else if (k.contains(".segkeys/")) {
        indexReads.incrementAndGet();
      }
      return super.read(k);
    }
  }

  private JobQueue open(ObjectStore store) {
    return JobQueue.open(
        new StoreLocation(store, key), QueueOptions.builder().headMaxReadyJobs(HEAD_MAX).build());
  }

  private QueueState stored() {
    return StateCodec.decode(memory.read(key).orElseThrow().data());
  }

  private List<String> indexObjects() {
    return memory.list(key + ".segkeys/");
  }

  private List<String> pushKeyed(int n) throws Exception {
    List<String> ids = new ArrayList<>();
    try (JobQueue q = open(memory)) {
      for (int i = 0; i < n; i++) {
        ids.add(
            q.push(PushRequest.of(Integer.toString(i)).withIdempotencyKey("key-" + i))
                .get()
                .jobId());
      }
    }
    assertThat(stored().segments()).hasSizeGreaterThan(1);
    return ids;
  }

  /** Every key answers with its job, and a new key makes a new job. */
  private static void assertDedupes(JobQueue q, List<String> ids) throws Exception {
    for (int i = 0; i < ids.size(); i++) {
      assertThat(q.push(PushRequest.of("\"again\"").withIdempotencyKey("key-" + i)).get())
          .isEqualTo(new PushResult(ids.get(i), true));
    }
    PushResult fresh = q.push(PushRequest.of("\"new\"").withIdempotencyKey("key-new")).get();
    assertThat(fresh.duplicate()).isFalse();
    assertThat(ids).doesNotContain(fresh.jobId());
  }

  @Test
  void aRestartReadsTheKeyIndexesAndNoSegment() throws Exception {
    List<String> ids = pushKeyed(200);
    QueueState s = stored();
    List<String> keyed =
        s.segments().stream()
            .filter(r -> r.keys() > 0)
            .map(r -> KeyIndexObject.keyForSegment(r.key()))
            .toList();
    assertThat(indexObjects()).as("one key index per keyed segment").hasSameElementsAs(keyed);

    CountingStore counting = new CountingStore(memory);
    try (JobQueue q = open(counting)) {
      assertDedupes(q, ids);
      assertThat(counting.segmentReads.get()).as("segment objects read").isZero();
      assertThat(counting.indexReads.get()).isEqualTo(keyed.size());
      assertThat(q.stats().get().ready()).isEqualTo(201);
    }
  }

  @Test
  void segmentsWithoutKeyIndexesAreReadForTheirKeys() throws Exception {
    // as segments written before key indexes existed
    List<String> ids = pushKeyed(120);
    for (String index : indexObjects()) {
      memory.delete(index);
    }
    CountingStore counting = new CountingStore(memory);
    try (JobQueue q = open(counting)) {
      assertDedupes(q, ids);
      assertThat(counting.segmentReads.get()).isPositive();
    }
  }

  @Test
  void aDamagedKeyIndexFallsBackToItsSegment() throws Exception {
    List<String> ids = pushKeyed(120);
    List<String> indexes = indexObjects();
    assertThat(indexes).hasSizeGreaterThan(1);
    memory.put(indexes.get(0), "garbage".getBytes(StandardCharsets.UTF_8));
    // well formed, but its keys lie outside its segment
    KeyIndexObject.Entries wrong =
        new KeyIndexObject.Entries(
            new long[] {1}, new long[] {2}, new long[] {Long.MAX_VALUE}, new long[] {1_000_000});
    memory.put(indexes.get(1), KeyIndexObject.encode(wrong));
    CountingStore counting = new CountingStore(memory);
    try (JobQueue q = open(counting)) {
      assertDedupes(q, ids);
      assertThat(counting.segmentReads.get())
          .as("the two segments with damaged indexes")
          .isEqualTo(2);
    }
  }

  @Test
  void aFailedKeyIndexWriteLeavesTheSegmentToBeRead() throws Exception {
    DelegatingObjectStore refusing =
        new DelegatingObjectStore(memory) {
          @Override
          public Version put(String k, byte[] data) {
            if (k.contains(".segkeys/")) {
              throw new StorageException("refused: " + k);
            }
            return super.put(k, data);
          }
        };
    List<String> ids = new ArrayList<>();
    try (JobQueue q = open(refusing)) {
      for (int i = 0; i < 60; i++) {
        ids.add(
            q.push(PushRequest.of(Integer.toString(i)).withIdempotencyKey("key-" + i))
                .get()
                .jobId());
      }
      assertThat(stored().segments()).hasSizeGreaterThan(1);
      assertDedupes(q, ids);
    }
    assertThat(indexObjects()).isEmpty();
    CountingStore counting = new CountingStore(memory);
    try (JobQueue q = open(counting)) {
      for (int i = 0; i < ids.size(); i++) {
        assertThat(q.push(PushRequest.of("\"x\"").withIdempotencyKey("key-" + i)).get())
            .isEqualTo(new PushResult(ids.get(i), true));
      }
      assertThat(counting.segmentReads.get()).isPositive();
    }
  }

  @Test
  void theKeyIndexOfALostCommitsSegmentIsDeletedWithIt() throws Exception {
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
    List<String> ids = new ArrayList<>();
    try (JobQueue q = open(racing);
        JobQueue b =
            JobQueue.open(
                new StoreLocation(memory, key),
                QueueOptions.builder().headMaxReadyJobs(0).build())) {
      other.set(b);
      for (int i = 0; i < 12; i++) {
        ids.add(
            q.push(PushRequest.of(Integer.toString(i)).withIdempotencyKey("key-" + i))
                .get(10, TimeUnit.SECONDS)
                .jobId());
      }
      assertThat(q.engine().metrics().conflicts()).isPositive();
    }
    String first = written.stream().filter(k -> k.contains(".segkeys/")).findFirst().orElseThrow();
    assertThat(memory.read(first)).as("key index of the lost commit's segment").isEmpty();
    assertThat(indexObjects())
        .hasSameElementsAs(
            stored().segments().stream()
                .filter(r -> r.keys() > 0)
                .map(r -> KeyIndexObject.keyForSegment(r.key()))
                .toList());
    try (JobQueue q = open(new CountingStore(memory))) {
      assertDedupes(q, ids);
    }
  }

  @Test
  void mergedSegmentsGetAKeyIndexAndKeepDedupingUntilDrained() throws Exception {
    List<String> ids = new ArrayList<>();
    try (JobQueue q = open(memory)) {
      for (int i = 0; i < 400; i++) {
        ids.add(
            q.push(PushRequest.of(Integer.toString(i)).withIdempotencyKey("key-" + i))
                .get()
                .jobId());
      }
      QueueState s = stored();
      assertThat(s.segments()).anyMatch(r -> r.count() > 2 * HEAD_MAX); // merged ones
      assertThat(indexObjects())
          .as("merged-away segments' indexes are deleted")
          .hasSameElementsAs(
              s.segments().stream().map(r -> KeyIndexObject.keyForSegment(r.key())).toList());
      assertDedupes(q, ids);
    }
    CountingStore counting = new CountingStore(memory);
    try (JobQueue q = open(counting)) {
      for (int i = 0; i < 400; i++) {
        assertThat(q.push(PushRequest.of("\"x\"").withIdempotencyKey("key-" + i)).get())
            .isEqualTo(new PushResult(ids.get(i), true));
      }
      assertThat(counting.segmentReads.get()).isZero();
      List<Job> batch;
      int claimed = 0;
      while (!(batch = q.claim(new ClaimRequest("w", null, 7, Set.of())).get()).isEmpty()) {
        claimed += batch.size();
      }
      assertThat(claimed).isEqualTo(401);
      q.push(PushRequest.of("\"last\"")).get();
    }
    assertThat(stored().segments()).isEmpty();
    assertThat(indexObjects()).as("indexes are deleted with their segments").isEmpty();
  }

  @Test
  void aKeyIsCountedOnceWhenItsJobMovesFromASegmentIntoTheHead() throws Exception {
    pushKeyed(100);
    assertThat(stored().keysHeld()).isEqualTo(100);
    try (JobQueue q = open(memory)) {
      for (int i = 0; i < 30; i++) {
        assertThat(q.claim(new ClaimRequest("w", null, 1, Set.of())).get()).hasSize(1);
      }
      q.push(PushRequest.of("\"plain\"")).get();
    }
    QueueState s = stored();
    assertThat(s.leasedCount()).isEqualTo(30);
    assertThat(s.keysHeld()).as("keys in the head and in segments").isEqualTo(100);
  }
}
