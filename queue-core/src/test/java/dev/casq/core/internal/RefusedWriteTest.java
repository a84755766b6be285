package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.CommitOutcomeUnknownException;
import dev.casq.api.PushResult;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Version;
import dev.casq.storage.tck.DelegatingObjectStore;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A write the store refused is lost, not of unknown outcome, however far the object moved on
 * meanwhile: a slow process among fast ones (MultiProcessEmbeddedTest on a loaded machine) saw its
 * claims and completions fail with CommitOutcomeUnknownException when more commits than the
 * object's recent commit marks (64) landed between its read and its write.
 */
class RefusedWriteTest {
  private final MemoryObjectStore memory = new MemoryObjectStore();
  private final String key = "queues/" + UUID.randomUUID() + ".json";

  /** A store on which, once armed, another writer makes {@code commits} commits before a write. */
  private final class Overtaken extends DelegatingObjectStore {
    final AtomicReference<JobQueue> other = new AtomicReference<>();
    final AtomicInteger armed = new AtomicInteger();
    final int commits;
    final boolean thenUnclear;

    Overtaken(int commits, boolean thenUnclear) {
      super(memory);
      this.commits = commits;
      this.thenUnclear = thenUnclear;
    }

    @Override
    public Version replace(String k, byte[] data, Version expected) {
      if (armed.compareAndSet(1, 0)) {
        for (int i = 0; i < commits; i++) {
          other.get().push(PushRequest.of("\"other-" + i + "\"")).join(); // one commit each
        }
        if (thenUnclear) {
          throw new OutcomeUnknownException("the connection broke after the request was sent");
        }
      }
      return super.replace(k, data, expected);
    }
  }

  private QueueState stored() {
    return StateCodec.decode(memory.read(key).orElseThrow().data());
  }

  @Test
  void aRefusedWriteOvertakenByMoreCommitsThanTheMarksHoldIsAppliedAgain() throws Exception {
    Overtaken store = new Overtaken(QueueState.RECENT_COMMITS + 6, false);
    QueueOptions options = QueueOptions.builder().headMaxReadyJobs(0).build();
    try (JobQueue q = JobQueue.open(new StoreLocation(store, key), options);
        JobQueue b = JobQueue.open(new StoreLocation(memory, key), options)) {
      store.other.set(b);
      q.push(PushRequest.of("\"first\"")).get(10, TimeUnit.SECONDS);
      store.armed.set(1);
      PushResult pushed = q.push(PushRequest.of("\"mine\"")).get(10, TimeUnit.SECONDS);
      assertThat(q.engine().metrics().conflicts()).isPositive();
      assertThat(stored().job(pushed.jobId()).payloadJson()).isEqualTo("\"mine\"");
      assertThat(stored().liveJobs()).hasSize(QueueState.RECENT_COMMITS + 6 + 2);
    }
  }

  @Test
  void aWriteWithAnUnclearSendOvertakenAsFarStaysOfUnknowableOutcome() throws Exception {
    Overtaken store = new Overtaken(QueueState.RECENT_COMMITS + 6, true);
    QueueOptions options = QueueOptions.builder().headMaxReadyJobs(0).build();
    try (JobQueue q = JobQueue.open(new StoreLocation(store, key), options);
        JobQueue b = JobQueue.open(new StoreLocation(memory, key), options)) {
      store.other.set(b);
      q.push(PushRequest.of("\"first\"")).get(10, TimeUnit.SECONDS);
      store.armed.set(1);
      CompletableFuture<PushResult> pushed = q.push(PushRequest.of("\"mine\""));
      assertThat(pushed)
          .failsWithin(10, TimeUnit.SECONDS)
          .withThrowableThat()
          .havingCause()
          .isInstanceOf(CommitOutcomeUnknownException.class);
    }
  }
}
