package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.api.PushResult;
import dev.casq.api.QueueClosedException;
import dev.casq.core.QueueOptions;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Several engines on one object settle their races by compare-and-swap. */
class GroupCommitGuaranteesTest {

  @Test
  void twoEnginesOnOneObjectStayCorrect() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    String key = "queues/" + UUID.randomUUID() + ".json";
    try (JobQueue a = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults());
        JobQueue b = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults())) {
      List<java.util.concurrent.CompletableFuture<PushResult>> futures = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        futures.add((i % 2 == 0 ? a : b).push(PushRequest.of(Integer.toString(i))));
      }
      Set<String> ids = new java.util.HashSet<>();
      for (var f : futures) {
        ids.add(f.get(1, TimeUnit.MINUTES).jobId());
      }
      assertThat(ids).hasSize(2000);
      // claims from both engines never hand one job out twice
      Set<String> claimed = new java.util.HashSet<>();
      int got;
      do {
        got = 0;
        for (JobQueue q : List.of(a, b)) {
          for (Job j : q.claim(new ClaimRequest("w", Duration.ofMinutes(5), 100, null)).get()) {
            assertThat(claimed.add(j.id())).as("claimed twice: " + j.id()).isTrue();
            got++;
          }
        }
      } while (got > 0);
      assertThat(claimed).isEqualTo(ids);
      assertThat(a.engine().metrics().conflicts() + b.engine().metrics().conflicts())
          .isGreaterThan(0);
    }
  }

  @Test
  void aBatchCompletionGoesIntoOneWriteAndARefusedJobDoesNotAffectTheOthers() throws Exception {
    String key = "queues/" + UUID.randomUUID() + ".json";
    QueueOptions options = QueueOptions.builder().archive(100_000, Duration.ofHours(1)).build();
    try (JobQueue q = JobQueue.open(new StoreLocation(new MemoryObjectStore(), key), options)) {
      List<PushRequest> pushes = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        pushes.add(PushRequest.of(Integer.toString(i)));
      }
      for (var f : q.pushAll(pushes)) {
        f.get(1, TimeUnit.MINUTES);
      }
      List<Job> leased =
          q.claim(new ClaimRequest("w", Duration.ofMinutes(5), 200, null)).get(1, TimeUnit.MINUTES);
      assertThat(leased).hasSize(200);
      List<JobQueue.Completion> completions = new ArrayList<>();
      for (Job j : leased) {
        completions.add(new JobQueue.Completion(j.id(), j.lease().token(), null));
      }
      completions.set(7, new JobQueue.Completion(leased.get(7).id(), "wrong-token", null));
      completions.set(9, new JobQueue.Completion("no-such-job", "t", null));
      completions.set(
          11,
          new JobQueue.Completion(leased.get(11).id(), leased.get(11).lease().token(), "not json"));
      long before = q.stats().get(1, TimeUnit.MINUTES).revision();

      List<java.util.concurrent.CompletableFuture<Job>> done = q.completeAll(completions);

      for (int i = 0; i < done.size(); i++) {
        if (i == 7 || i == 9 || i == 11) {
          assertThat(done.get(i)).failsWithin(1, TimeUnit.MINUTES);
        } else {
          assertThat(done.get(i).get(1, TimeUnit.MINUTES).status()).isEqualTo(JobStatus.COMPLETED);
        }
      }
      QueueStats after = q.stats().get(1, TimeUnit.MINUTES);
      assertThat(after.revision()).as("one write for the whole batch").isEqualTo(before + 1);
      assertThat(after.counters().completed()).isEqualTo(197);
      assertThat(q.get(leased.get(7).id()).get(1, TimeUnit.MINUTES).status())
          .isEqualTo(JobStatus.LEASED);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  q.completeAll(
                      List.of(
                          new JobQueue.Completion(leased.get(7).id(), "a", null),
                          new JobQueue.Completion(leased.get(7).id(), "b", null))))
          .isInstanceOf(dev.casq.api.InvalidRequestException.class);
    }
  }

  @Test
  void closeLetsTheWriteInFlightFinishAndRefusesNewRequests() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    String key = "queues/" + UUID.randomUUID() + ".json";
    java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
    dev.casq.storage.ObjectStore slow =
        new dev.casq.storage.tck.DelegatingObjectStore(
            dev.casq.storage.tck.LatencyInjectingStore.of(memory, Duration.ofMillis(300))) {
          @Override
          public dev.casq.storage.Version replace(
              String k, byte[] data, dev.casq.storage.Version expected) {
            writing.countDown();
            return super.replace(k, data, expected);
          }
        };
    JobQueue q = JobQueue.open(new StoreLocation(slow, key), QueueOptions.defaults());
    java.util.concurrent.CompletableFuture<PushResult> inFlight = q.push(PushRequest.of("1"));
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    q.close();
    assertThat(inFlight.get(5, TimeUnit.SECONDS).jobId()).isNotBlank();
    assertThat(StateCodec.decode(memory.read(key).orElseThrow().data()).liveJobs()).hasSize(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.push(PushRequest.of("2")).get())
        .hasCauseInstanceOf(QueueClosedException.class);
  }

  /** Two pushes: the write of "1" is held by the gate; "2" was applied on top of it meanwhile. */
  private record TwoPushes(
      java.util.concurrent.CompletableFuture<PushResult> one,
      java.util.concurrent.CompletableFuture<PushResult> two,
      java.util.concurrent.atomic.AtomicInteger timesTwoWasApplied) {}

  /**
   * Pushes "1" through {@code a} (its write is held by {@code gated}), then "2", and waits until
   * the engine has applied "2" on top of the held write, before that write's outcome is known. The
   * count says how often "2" was applied: once more after a write that did not land.
   */
  private static TwoPushes secondAppliedWhileFirstWriteIsHeld(JobQueue a, HeldWriteStore gated)
      throws InterruptedException {
    var one = a.push(PushRequest.of("1"));
    assertThat(gated.writing.await(10, TimeUnit.SECONDS)).isTrue();
    var applied = new java.util.concurrent.atomic.AtomicInteger();
    var appliedOnce = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<PushResult> two =
        a.engine()
            .submit(
                (s, m, now) -> {
                  applied.incrementAndGet();
                  appliedOnce.countDown();
                  return m.push(s, PushRequest.of("2"), now);
                });
    assertThat(appliedOnce.await(10, TimeUnit.SECONDS)).isTrue();
    return new TwoPushes(one, two, applied);
  }

  @Test
  void aBatchAppliedOnTopOfAWriteThatLosesIsAppliedAgainAndWrittenOnce() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    String key = "queues/" + UUID.randomUUID() + ".json";
    HeldWriteStore gated = new HeldWriteStore(memory, false);
    try (JobQueue a = JobQueue.open(new StoreLocation(gated, key), QueueOptions.defaults());
        JobQueue b = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults())) {
      TwoPushes pushes = secondAppliedWhileFirstWriteIsHeld(a, gated);
      var one = pushes.one();
      var two = pushes.two();
      var applied = pushes.timesTwoWasApplied();
      assertThat(two).isNotDone();
      b.push(PushRequest.of("3")).get(10, TimeUnit.SECONDS); // another engine wins the race
      gated.release.countDown();

      String id1 = one.get(10, TimeUnit.SECONDS).jobId();
      String id2 = two.get(10, TimeUnit.SECONDS).jobId();
      assertThat(id1).isNotEqualTo(id2);
      assertThat(applied).hasValue(2); // once on top of the lost write, once on the fresh state
      assertThat(a.engine().metrics().conflicts()).isGreaterThanOrEqualTo(1);
      QueueState stored = StateCodec.decode(memory.read(key).orElseThrow().data());
      assertThat(stored.liveJobs())
          .extracting(Job::payloadJson)
          .containsExactlyInAnyOrder("1", "2", "3");
      assertThat(stored.liveJobs()).extracting(Job::id).contains(id1, id2);
      assertThat(a.engine().committedRevision()).isEqualTo(stored.revision);
    }
  }

  @Test
  void aBatchAppliedOnTopOfAWriteOfUnknownOutcomeIsWrittenOnceAfterItLanded() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    String key = "queues/" + UUID.randomUUID() + ".json";
    HeldWriteStore gated = new HeldWriteStore(memory, true);
    try (JobQueue a = JobQueue.open(new StoreLocation(gated, key), QueueOptions.defaults())) {
      TwoPushes pushes = secondAppliedWhileFirstWriteIsHeld(a, gated);
      var one = pushes.one();
      var two = pushes.two();
      var applied = pushes.timesTwoWasApplied();
      gated.release.countDown();

      String id1 = one.get(10, TimeUnit.SECONDS).jobId(); // it landed: acknowledged, not failed
      String id2 = two.get(10, TimeUnit.SECONDS).jobId();
      // the re-read shows the first write landed as it was: the second stays applied on top
      assertThat(applied).hasValue(1);
      assertThat(a.engine().metrics().unknownOutcomes()).isEqualTo(1);
      QueueState stored = StateCodec.decode(memory.read(key).orElseThrow().data());
      assertThat(stored.liveJobs())
          .extracting(Job::payloadJson)
          .containsExactlyInAnyOrder("1", "2");
      assertThat(stored.liveJobs()).extracting(Job::id).containsExactlyInAnyOrder(id1, id2);
    }
  }

  @Test
  void commandsAppliedOnTopOfAWriteThatGetsFencedFailInsteadOfWaitingForever() throws Exception {
    MemoryObjectStore memory = new MemoryObjectStore();
    String key = "queues/" + UUID.randomUUID() + ".json";
    HeldWriteStore gated = new HeldWriteStore(memory, false);
    try (JobQueue a = JobQueue.open(new StoreLocation(gated, key), QueueOptions.defaults());
        JobQueue b = JobQueue.open(new StoreLocation(memory, key), QueueOptions.defaults())) {
      // a stands for a broker that is replaced once another writer's job "fence" shows up
      a.engine()
          .guard(
              state -> {
                for (Job j : state.liveJobs()) {
                  if (j.payloadJson().equals("\"fence\"")) {
                    throw new FencedException(
                        new BrokerRecord("other", "http://other", 2, java.time.Instant.now()));
                  }
                }
              });
      TwoPushes pushes = secondAppliedWhileFirstWriteIsHeld(a, gated);
      var one = pushes.one();
      var two = pushes.two();
      b.push(PushRequest.of("\"fence\"")).get(10, TimeUnit.SECONDS);
      gated.release.countDown();

      for (var f : List.of(one, two)) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(FencedException.class);
      }
      QueueState stored = StateCodec.decode(memory.read(key).orElseThrow().data());
      assertThat(stored.liveJobs()).extracting(Job::payloadJson).containsExactly("\"fence\"");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.push(PushRequest.of("3")).get())
          .hasCauseInstanceOf(FencedException.class);
    }
  }
}
