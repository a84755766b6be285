package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.api.ClaimRequest;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.tck.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Idempotency keys of finished jobs are not written into the queue object: the object names the
 * archive objects that hold those jobs, and every engine that reads the object (at start, or after
 * another writer won a race) remembers their keys again from there.
 */
class ArchivedKeysTest {
  private static final String KEY = "queues/keys.json";
  private static final Instant T0 = Instant.parse("2026-11-25T17:30:00Z");

  private static QueueOptions options(ManualClock clock) {
    return QueueOptions.builder().clock(clock).archive(1, Duration.ofSeconds(1)).build();
  }

  /** Pushes with a key, claims and completes the job; the engine archives it right away. */
  private static String pushAndFinish(JobQueue q, String key) throws Exception {
    String id =
        q.push(PushRequest.of("{\"k\":\"" + key + "\"}").withIdempotencyKey(key)).get().jobId();
    Job j = q.claim(new ClaimRequest("w", null, 1, null)).get().get(0);
    assertThat(j.id()).isEqualTo(id);
    q.complete(j.id(), j.lease().token(), null).get();
    q.stats().get(); // one more commit: the finished job is archived by now
    return id;
  }

  private static QueueState stored(MemoryObjectStore memory) {
    return StateCodec.decode(memory.read(KEY).orElseThrow().data());
  }

  @Test
  void aRestartedEngineStillKnowsTheKeyOfAnArchivedJob() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    ManualClock clock = new ManualClock(T0);
    String id;
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, KEY), options(clock))) {
      id = pushAndFinish(q, "signup-42");
    }
    QueueState s = stored(memory);
    assertThat(s.finishedJobs()).isEmpty();
    assertThat(s.archives()).hasSize(1);
    assertThat(s.archives().get(0).keys()).isEqualTo(1);
    assertThat(
            new ObjectMapper()
                .readTree(memory.read(KEY).orElseThrow().data())
                .has("rememberedKeys"))
        .isFalse();
    assertThat(new String(memory.read(KEY).orElseThrow().data())).doesNotContain("signup-42");

    try (JobQueue again = JobQueue.open(new StoreLocation(memory, KEY), options(clock))) {
      PushResult retry = again.push(PushRequest.of("{}").withIdempotencyKey("signup-42")).get();
      assertThat(retry.duplicate()).isTrue();
      assertThat(retry.jobId()).isEqualTo(id);
      assertThat(again.stats().get().rememberedKeys()).isEqualTo(1);
    }
  }

  @Test
  void anEngineThatLosesARaceLearnsTheKeysTheOtherOneArchived() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    ManualClock clock = new ManualClock(T0);
    try (JobQueue a = JobQueue.open(new StoreLocation(memory, KEY), options(clock));
        JobQueue b = JobQueue.open(new StoreLocation(memory, KEY), options(clock))) {
      String id = pushAndFinish(a, "order-7");
      // b has not read the object since it opened: its first write loses, it re-reads the object
      // and the archive it names, and applies the push again
      PushResult retry = b.push(PushRequest.of("{}").withIdempotencyKey("order-7")).get();
      assertThat(retry.duplicate()).isTrue();
      assertThat(retry.jobId()).isEqualTo(id);
      assertThat(b.engine().metrics().conflicts()).isGreaterThanOrEqualTo(1);
      assertThat(stored(memory).nextSeq()).isEqualTo(2); // no second job was created
    }
  }

  @Test
  void archivesStopBeingNamedOnceTheirKeysAreForgottenByTimeNotByCount() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    ManualClock clock = new ManualClock(T0);
    QueueOptions oneMinute =
        QueueOptions.builder()
            .clock(clock)
            .archive(1, Duration.ofSeconds(1))
            .idempotencyRetention(Duration.ofMinutes(1))
            .build();
    String k1;
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, KEY), oneMinute)) {
      k1 = pushAndFinish(q, "k1");
      pushAndFinish(q, "k2");
      pushAndFinish(q, "k3");
      assertThat(stored(memory).archives()).hasSize(3); // every key is still in its window
      PushResult again = q.push(PushRequest.of("{}").withIdempotencyKey("k1")).get();
      assertThat(again.duplicate()).isTrue();
      assertThat(again.jobId()).isEqualTo(k1);

      clock.advance(Duration.ofMinutes(2)); // past the retention of every key so far
      pushAndFinish(q, "k5");
      assertThat(stored(memory).archives()).hasSize(1);
    }
    try (JobQueue again = JobQueue.open(new StoreLocation(memory, KEY), oneMinute)) {
      assertThat(again.push(PushRequest.of("{}").withIdempotencyKey("k2")).get().duplicate())
          .isFalse(); // forgotten: retention passed
      assertThat(again.push(PushRequest.of("{}").withIdempotencyKey("k5")).get().duplicate())
          .isTrue();
    }
  }

  @Test
  void aMissingArchiveObjectForgetsItsKeysAndChangesNothingElse() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    ManualClock clock = new ManualClock(T0);
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, KEY), options(clock))) {
      pushAndFinish(q, "gone");
      q.push(PushRequest.of("{\"live\":true}").withIdempotencyKey("live-key")).get();
    }
    for (QueueState.ArchiveRef a : stored(memory).archives()) {
      memory.delete(a.key()); // e.g. removed by a bucket lifecycle rule, with its key index
      memory.delete(KeyIndexObject.keyFor(a.key()));
    }
    try (JobQueue again = JobQueue.open(new StoreLocation(memory, KEY), options(clock))) {
      assertThat(again.push(PushRequest.of("{}").withIdempotencyKey("live-key")).get().duplicate())
          .isTrue();
      assertThat(again.push(PushRequest.of("{}").withIdempotencyKey("gone")).get().duplicate())
          .isFalse();
    }
  }
}
