package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.casq.api.ClaimRequest;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.PushResult;
import dev.casq.api.QueueFullException;
import dev.casq.api.RequestFailedException;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StorageException;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Version;
import dev.casq.storage.tck.DelegatingObjectStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One request's failure is its own: neighbours in its batch commit, the queue keeps serving. */
class EngineIsolationTest {
  private final MemoryObjectStore memory = new MemoryObjectStore();
  private final String key = "queues/" + UUID.randomUUID() + ".json";

  @Test
  void aCommandThatThrowsAfterChangingTheStateFailsAloneAndLeavesNoTrace() throws Exception {
    Command<Object> throwsHalfway =
        (s, m, now) -> {
          m.push(s, PushRequest.of("\"half\""), now); // a change, then a failure
          throw new IllegalStateException("boom");
        };
    List<CompletableFuture<?>> results = batchedOnTopOfAHeldWrite(throwsHalfway);

    assertThatThrownBy(() -> results.get(1).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(RequestFailedException.class)
        .hasRootCauseMessage("boom");
    assertThat(results.get(0).get(10, TimeUnit.SECONDS)).isInstanceOf(PushResult.class);
    assertThat(results.get(2).get(10, TimeUnit.SECONDS)).isInstanceOf(PushResult.class);
    QueueState stored = stored();
    assertThat(stored.liveJobs())
        .extracting(Job::payloadJson)
        .containsExactlyInAnyOrder("\"first\"", "\"before\"", "\"after\"");
    assertThat(stored.nextSeq()).isEqualTo(4); // no sequence number was spent on the failure
  }

  @Test
  void aRequestThatCannotBeEncodedFailsAloneAndItsNeighboursCommit() throws Exception {
    Command<Object> unencodable =
        (s, m, now) -> {
          long seq = s.nextSeq++; // a job the codec cannot write: a lone surrogate in its type
          s.addLive(
              new Job(
                  QueueStateMachine.jobId(seq),
                  seq,
                  "\ud800",
                  "{}",
                  0,
                  now,
                  0,
                  5,
                  now,
                  null,
                  JobStatus.QUEUED,
                  null,
                  null,
                  null,
                  null));
          return null;
        };
    List<CompletableFuture<?>> results = batchedOnTopOfAHeldWrite(unencodable);

    assertThatThrownBy(() -> results.get(1).get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(InvalidRequestException.class);
    PushResult after = (PushResult) results.get(2).get(10, TimeUnit.SECONDS);
    assertThat(results.get(0).get(10, TimeUnit.SECONDS)).isInstanceOf(PushResult.class);
    QueueState stored = stored();
    assertThat(stored.liveJobs())
        .extracting(Job::payloadJson)
        .containsExactlyInAnyOrder("\"first\"", "\"before\"", "\"after\"");
    assertThat(stored.job(after.jobId()).payloadJson()).isEqualTo("\"after\"");
  }

  @Test
  void anErrorOnTheEngineThreadStopsTheQueueVisiblyInsteadOfHanging() throws Exception {
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults())) {
      CompletableFuture<Object> broken =
          q.submit(
              (s, m, now) -> {
                throw new LinkageError("a library of the wrong version");
              });
      assertThatThrownBy(() -> broken.get(10, TimeUnit.SECONDS))
          .hasRootCauseMessage("a library of the wrong version");
      assertThat(q.engine().health().state()).isEqualTo(EngineHealth.State.STOPPED);
      assertThat(q.engine().health().reason()).contains("a library of the wrong version");
      assertThatThrownBy(() -> q.push(PushRequest.of("1")).get(1, TimeUnit.SECONDS))
          .hasRootCauseMessage("a library of the wrong version"); // fails fast from now on
    }
  }

  @Test
  void aStoreThatKeepsFailingIsRetriedWithGrowingPausesAndTheQueueRecovers() throws Exception {
    List<Long> attempts = new CopyOnWriteArrayList<>();
    FlakyWrites flaky = new FlakyWrites(memory, attempts);
    try (JobQueue q = JobQueue.open(new StoreLocation(flaky, key), QueueOptions.defaults())) {
      flaky.failing = true;
      CompletableFuture<PushResult> push = q.push(PushRequest.of("\"patient\""));

      await().atMost(Duration.ofSeconds(10)).until(() -> attempts.size() >= 6);
      assertThat(q.engine().health().state()).isEqualTo(EngineHealth.State.RETRYING);
      assertThat(q.engine().health().reason()).contains("storage unreachable");
      assertThat(push).isNotDone(); // an unclear write is neither acknowledged nor failed
      long firstGap = attempts.get(1) - attempts.get(0);
      long fifthGap = attempts.get(5) - attempts.get(4);
      assertThat(fifthGap)
          .as("pauses grow: %s", attempts)
          .isGreaterThanOrEqualTo(Math.max(2 * firstGap, TimeUnit.MILLISECONDS.toNanos(100)));

      flaky.failing = false;
      assertThat(push.get(10, TimeUnit.SECONDS).duplicate()).isFalse();
      assertThat(q.engine().health().state()).isEqualTo(EngineHealth.State.SERVING);
      assertThat(stored().liveJobs()).extracting(Job::payloadJson).containsExactly("\"patient\"");
    }
  }

  @Test
  void pushesAreRefusedWhileTheObjectIsAtItsLargestSizeAndOtherRequestsMakeRoom() throws Exception {
    QueueOptions small =
        QueueOptions.builder().maxObjectBytes(4096).archive(1, Duration.ofSeconds(1)).build();
    String payload = "\"" + "x".repeat(1000) + "\"";
    try (JobQueue q = JobQueue.open(new StoreLocation(memory, key), small)) {
      int pushed = 0;
      Throwable refused = null;
      while (refused == null && pushed < 100) {
        try {
          q.push(PushRequest.of(payload)).get(10, TimeUnit.SECONDS);
          pushed++;
        } catch (java.util.concurrent.ExecutionException e) {
          refused = e.getCause();
        }
      }
      assertThat(refused)
          .isInstanceOf(QueueFullException.class)
          .hasMessageContaining("maxObjectBytes");
      assertThat(pushed).isBetween(2, 5);
      QueueState full = stored();
      assertThat(full.liveJobs()).hasSize(pushed); // the refused push changed nothing

      for (Job j : q.claim(new ClaimRequest("w", null, 10, null)).get(10, TimeUnit.SECONDS)) {
        q.complete(j.id(), j.lease().token(), null).get(10, TimeUnit.SECONDS);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(q.push(PushRequest.of(payload)).get(10, TimeUnit.SECONDS).duplicate())
                      .isFalse());
    }
  }

  @Test
  void aJobDueInTheFarFutureDoesNotStopTheTimers() throws Exception {
    // an object written before runAt was bounded: a job due in the year +999999999
    QueueState old = QueueState.empty();
    Instant now = Instant.now();
    Instant never = Instant.parse("+999999999-12-31T23:59:59Z");
    old.nextSeq = 2;
    old.addLive(
        new Job(
            "j1",
            1,
            null,
            "{}",
            0,
            never,
            0,
            5,
            now,
            null,
            JobStatus.QUEUED,
            null,
            null,
            null,
            null));
    old.recordCommit(1, "c1", now);
    memory.create(key, StateCodec.encode(old));

    try (JobQueue q = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults())) {
      PushResult pushed = q.push(PushRequest.of("\"now\"")).get(10, TimeUnit.SECONDS);
      assertThat(q.claim(new ClaimRequest("w", null, 10, null)).get(10, TimeUnit.SECONDS))
          .extracting(Job::id)
          .containsExactly(pushed.jobId());
      assertThat(q.engine().health().state()).isEqualTo(EngineHealth.State.SERVING);
      assertThat(stored().job("j1").runAt()).isEqualTo(never);
    }
  }

  /** Pushes "first" (its write held), then "before", {@code middle}, "after" on top of it. */
  private List<CompletableFuture<?>> batchedOnTopOfAHeldWrite(Command<Object> middle)
      throws Exception {
    HeldWriteStore held = new HeldWriteStore(memory, false);
    JobQueue q = JobQueue.open(new StoreLocation(held, key), QueueOptions.defaults());
    try {
      CompletableFuture<PushResult> first = q.push(PushRequest.of("\"first\""));
      assertThat(held.writing.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<PushResult> before = q.push(PushRequest.of("\"before\""));
      CompletableFuture<Object> bad = q.submit(middle);
      CompletableFuture<PushResult> after = q.push(PushRequest.of("\"after\""));
      held.release.countDown();
      first.get(10, TimeUnit.SECONDS);
      CompletableFuture.allOf(before, after).exceptionally(e -> null).get(10, TimeUnit.SECONDS);
      bad.exceptionally(e -> null).get(10, TimeUnit.SECONDS);
      return List.of(before, bad, after);
    } finally {
      q.close();
    }
  }

  private QueueState stored() {
    return StateCodec.decode(memory.read(key).orElseThrow().data());
  }

  /** Writes fail with a plain storage error while {@code failing}; each attempt is timed. */
  private static final class FlakyWrites extends DelegatingObjectStore {
    volatile boolean failing;
    private final List<Long> attempts;

    FlakyWrites(MemoryObjectStore delegate, List<Long> attempts) {
      super(delegate);
      this.attempts = attempts;
    }

    @Override
    public Version replace(String k, byte[] data, Version expected) {
      if (failing) {
        attempts.add(System.nanoTime());
        throw new StorageException("storage unreachable");
      }
      return super.replace(k, data, expected);
    }
  }
}
