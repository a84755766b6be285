package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.ClaimRequest;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Version;
import dev.casq.storage.tck.DelegatingObjectStore;
import dev.casq.storage.tck.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ArchiveTest {
  private static final String KEY = "queues/archived.json";

  /**
   * Checks, at every write of the queue object, that each job the new version no longer holds is
   * already in an archive object: archives are written before the commit that drops the jobs.
   */
  static final class ArchiveBeforeDropCheck extends DelegatingObjectStore {
    final Set<String> everPushed = ConcurrentHashMap.newKeySet();
    final AtomicInteger checks = new AtomicInteger();

    ArchiveBeforeDropCheck(MemoryObjectStore delegate) {
      super(delegate);
    }

    @Override
    public Version replace(String key, byte[] data, Version expected) {
      if (key.equals(KEY)) {
        QueueState next = StateCodec.decode(data);
        Set<String> inHot = new HashSet<>();
        Segments.liveJobs(delegate(), next).forEach(j -> inHot.add(j.id()));
        next.cancelledInSegments().forEach(inHot::add); // in the finished jobs or an archive
        next.finishedJobs().forEach(j -> inHot.add(j.id()));
        Set<String> archived = archivedIds(delegate());
        for (long seq = 1; seq < next.nextSeq(); seq++) {
          String id = QueueStateMachine.jobId(seq);
          assertThat(inHot.contains(id) || archived.contains(id))
              .as("job %s is neither in the new queue object nor in an archive", id)
              .isTrue();
        }
        checks.incrementAndGet();
      }
      return super.replace(key, data, expected);
    }
  }

  static Set<String> archivedIds(dev.casq.storage.ObjectStore store) {
    Set<String> ids = new HashSet<>();
    for (String k : store.list(KEY + ".archive/")) {
      for (Job j : StateCodec.decodeArchive(store.read(k).orElseThrow().data())) {
        ids.add(j.id());
      }
    }
    return ids;
  }

  @Test
  void finishedJobsMoveToTimeBucketedArchivesAndTheHotObjectStaysSmall() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    ArchiveBeforeDropCheck store = new ArchiveBeforeDropCheck(memory);
    ManualClock clock = new ManualClock(Instant.parse("2026-11-25T17:30:00Z"));
    QueueOptions options =
        QueueOptions.builder().clock(clock).archive(25, Duration.ofSeconds(2)).build();
    List<Integer> hotSizes = new ArrayList<>();
    try (JobQueue q = JobQueue.open(new StoreLocation(store, KEY), options)) {
      for (int round = 0; round < 10; round++) {
        List<java.util.concurrent.CompletableFuture<PushResult>> pushes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          pushes.add(q.push(PushRequest.of("{\"round\":" + round + ",\"i\":" + i + "}")));
        }
        for (var f : pushes) {
          f.get();
        }
        List<Job> claimed = q.claim(new ClaimRequest("w", null, 30, null)).get();
        assertThat(claimed).hasSize(30);
        for (Job j : claimed) {
          if (j.seq() % 7 == 0) {
            q.fail(j.id(), j.lease().token(), "bad input", false).get();
          } else {
            q.complete(j.id(), j.lease().token(), "{\"ok\":true}").get();
          }
        }
        hotSizes.add(memory.read(KEY).orElseThrow().data().length);
      }
      // the stragglers (fewer than a batch) go once the oldest waited archiveMaxDelay
      clock.advance(Duration.ofSeconds(3));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> q.stats().get().finishedPendingArchive() == 0);
      QueueStats stats = q.stats().get();
      assertThat(stats.counters().archived()).isEqualTo(300);
    }
    Set<String> archived = archivedIds(memory);
    assertThat(archived).hasSize(300);
    assertThat(memory.list(KEY + ".archive/2026/11/25/17/")).isNotEmpty();
    assertThat(store.checks.get()).isGreaterThan(10);
    // the hot object does not grow with the number of jobs ever processed
    assertThat(hotSizes.get(hotSizes.size() - 1)).isLessThan(hotSizes.get(0) * 3);
    QueueState last = StateCodec.decode(memory.read(KEY).orElseThrow().data());
    assertThat(last.finishedJobs()).isEmpty();
    assertThat(last.liveJobs()).isEmpty();
  }

  @Test
  void expiredLeasesAreReleasedByTheEngineWithoutAnyRequest() {
    MemoryObjectStore memory = new MemoryObjectStore();
    ManualClock clock = new ManualClock(Instant.parse("2026-11-25T17:30:00Z"));
    QueueOptions options = QueueOptions.builder().clock(clock).build();
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, KEY), options)) {
      q.push(PushRequest.of("1")).join();
      q.claim(new ClaimRequest("w", Duration.ofSeconds(5), 1, null)).join();
      long revision = StateCodec.decode(memory.read(KEY).orElseThrow().data()).revision();
      clock.advance(Duration.ofSeconds(6));
      // no request is sent: the engine's own timer writes the release
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                QueueState s = StateCodec.decode(memory.read(KEY).orElseThrow().data());
                return s.revision() > revision && s.counters().expired() == 1;
              });
    }
  }
}
