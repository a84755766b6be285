package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.VersionedBytes;
import dev.casq.storage.tck.DelegatingObjectStore;
import dev.casq.storage.tck.LateLandingStore;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A write whose outcome is unknown may still land after its caller gave up: the engine settles it
 * by re-reading, and never applies its batch a second time under another commit id.
 */
class UnknownOutcomeTest {
  private final MemoryObjectStore memory = new MemoryObjectStore();
  private final String key = "queues/" + UUID.randomUUID() + ".json";

  @Test
  void aWriteThatLandsAfterItsCallerGaveUpIsAppliedOnce() throws Exception {
    LateLandingStore late = new LateLandingStore(memory);
    try (JobQueue q = JobQueue.open(new StoreLocation(late, key), QueueOptions.defaults())) {
      late.holdNextReplace();
      late.landHeldBeforeNextReplace(); // it lands while the engine decides what to do

      PushResult pushed = q.push(PushRequest.of("\"once\"")).get(10, TimeUnit.SECONDS);

      assertThat(late.lastLanded()).isTrue();
      QueueState stored = stored();
      assertThat(stored.liveJobs()).extracting(Job::payloadJson).containsExactly("\"once\"");
      assertThat(stored.liveJobs()).extracting(Job::id).containsExactly(pushed.jobId());
      assertThat(stored.nextSeq()).isEqualTo(2);
      assertThat(q.engine().metrics().unknownOutcomes()).isEqualTo(1);
    }
  }

  @Test
  void aWriteThatCanNoLongerLandIsAppliedAgainOnce() throws Exception {
    LateLandingStore late = new LateLandingStore(memory);
    AtomicReference<JobQueue> other = new AtomicReference<>();
    // another writer moves the object on right after the held write was answered "unknown"
    DelegatingObjectStore movedOnBeforeTheReRead =
        new DelegatingObjectStore(late) {
          private boolean moved;

          @Override
          public Optional<VersionedBytes> read(String k) {
            if (!moved && late.lastLanded() == null && other.get() != null && heldWritePending) {
              moved = true;
              other.get().push(PushRequest.of("\"other\"")).join();
            }
            return super.read(k);
          }
        };
    try (JobQueue q =
            JobQueue.open(new StoreLocation(movedOnBeforeTheReRead, key), QueueOptions.defaults());
        JobQueue b = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults())) {
      other.set(b);
      late.holdNextReplace();
      heldWritePending = true;

      PushResult pushed = q.push(PushRequest.of("\"mine\"")).get(10, TimeUnit.SECONDS);

      assertThat(late.landHeld()).as("the held write lands late").isFalse(); // its version is gone
      QueueState stored = stored();
      assertThat(stored.liveJobs())
          .extracting(Job::payloadJson)
          .containsExactlyInAnyOrder("\"mine\"", "\"other\"");
      assertThat(stored.job(pushed.jobId()).payloadJson()).isEqualTo("\"mine\"");
      assertThat(q.engine().metrics().unknownOutcomes()).isEqualTo(1);
    }
  }

  @Test
  void theArchiveOfACommitThatLandsLateIsKept() throws Exception {
    LateLandingStore late = new LateLandingStore(memory);
    QueueOptions archiveAtOnce =
        QueueOptions.builder().archive(1, java.time.Duration.ofSeconds(1)).build();
    try (JobQueue q = JobQueue.open(new StoreLocation(late, key), archiveAtOnce)) {
      String id = q.push(PushRequest.of("\"kept\"")).get(10, TimeUnit.SECONDS).jobId();
      Job leased = q.claim(new ClaimRequest("w", null, 1, null)).get(10, TimeUnit.SECONDS).get(0);
      // the commit of the completion archives the job (its archive object is written first) and
      // drops it from the queue object; that commit lands late
      late.holdNextReplace();
      late.landHeldBeforeNextReplace();
      q.complete(leased.id(), leased.lease().token(), null).get(10, TimeUnit.SECONDS);

      assertThat(late.lastLanded()).isTrue();
      assertThat(stored().finishedJobs()).extracting(Job::id).doesNotContain(id);
      assertThat(stored().liveJobs()).extracting(Job::id).doesNotContain(id);
      assertThat(archivedIds()).as("the dropped job is in an archive object").contains(id);
    }
  }

  @Test
  void aCommitProvenLostDeletesItsArchiveAndItsHistoryIndexes() throws Exception {
    AtomicReference<JobQueue> other = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean armed =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean refuseNext =
        new java.util.concurrent.atomic.AtomicBoolean();
    DelegatingObjectStore losing =
        new DelegatingObjectStore(memory) {
          @Override
          public dev.casq.storage.Version put(String k, byte[] data) {
            if (k.contains(".archive/") && armed.compareAndSet(true, false)) {
              refuseNext.set(true); // the commit that names this archive loses its race
            }
            return super.put(k, data);
          }

          @Override
          public dev.casq.storage.Version replace(
              String k, byte[] data, dev.casq.storage.Version expected) {
            if (k.equals(key) && refuseNext.compareAndSet(true, false)) {
              other.get().push(PushRequest.of("\"other\"")).join(); // moves the object on
              throw new dev.casq.storage.PreconditionFailedException("lost the race (test)");
            }
            return super.replace(k, data, expected);
          }
        };
    QueueOptions archiveAtOnce =
        QueueOptions.builder().archive(1, java.time.Duration.ofSeconds(1)).build();
    try (JobQueue q = JobQueue.open(new StoreLocation(losing, key), archiveAtOnce);
        JobQueue b = JobQueue.open(new StoreLocation(memory, key), archiveAtOnce)) {
      other.set(b);
      q.push(PushRequest.of("\"x\"")).get(10, TimeUnit.SECONDS);
      Job leased = q.claim(new ClaimRequest("w", null, 1, null)).get(10, TimeUnit.SECONDS).get(0);
      armed.set(true); // the commit that archives the completed job loses; the retry lands
      q.complete(leased.id(), leased.lease().token(), null).get(10, TimeUnit.SECONDS);
      assertThat(armed.get()).isFalse();
      assertThat(refuseNext.get()).isFalse();

      java.util.List<String> archives = memory.list(key + ".archive/");
      java.util.List<String> indexes = memory.list(key + ".history/");
      assertThat(archives).hasSize(1);
      assertThat(indexes).hasSize(1);
      HistoryIndex.Contents c =
          HistoryIndex.decode(memory.read(indexes.get(0)).orElseThrow().data(), indexes.get(0));
      assertThat(c.archiveKey()).isEqualTo(archives.get(0));
      assertThat(q.get(leased.id()).get(10, TimeUnit.SECONDS).status())
          .isEqualTo(JobStatus.COMPLETED);
    }
  }

  private java.util.Set<String> archivedIds() {
    java.util.Set<String> ids = new java.util.TreeSet<>();
    for (String k : memory.list(key + ".archive/")) {
      for (Job j : StateCodec.decodeArchive(memory.read(k).orElseThrow().data())) {
        ids.add(j.id());
      }
    }
    return ids;
  }

  private volatile boolean heldWritePending;

  private QueueState stored() {
    return StateCodec.decode(memory.read(key).orElseThrow().data());
  }
}
