package dev.casq.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.ClaimRequest;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.JobStatus;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.tck.ManualClock;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The meters of an embedded queue, bound to a SimpleMeterRegistry. */
class CasqMetricsTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  private final MemoryObjectStore store = new MemoryObjectStore();
  private final ManualClock clock = new ManualClock(T0);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private JobQueue open() {
    QueueOptions options =
        QueueOptions.builder()
            .clock(clock)
            .maxAttempts(5)
            .archive(1_000, Duration.ofHours(1))
            .backoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
            .build();
    return JobQueue.open(new StoreLocation(store, "jobs.json"), options);
  }

  private double event(String event) {
    return registry
        .get("casq.queue.events")
        .tag("queue", "jobs")
        .tag("event", event)
        .functionCounter()
        .count();
  }

  private double jobs(String state) {
    return registry.get("casq.queue.jobs").tag("queue", "jobs").tag("state", state).gauge().value();
  }

  private double oldestReadyAge() {
    return registry.get("casq.queue.oldest.ready.age").tag("queue", "jobs").gauge().value();
  }

  private static Job claim(JobQueue q, Duration lease) throws Exception {
    List<Job> jobs = q.claim(new ClaimRequest("w", lease, 1, Set.of())).get();
    assertThat(jobs).hasSize(1);
    return jobs.get(0);
  }

  @Test
  void countersCountCommittedEventsAndGaugesFollowEveryBatch() throws Exception {
    try (JobQueue q = open()) {
      CasqMetrics.of(q, "jobs", clock).bindTo(registry);
      q.push(PushRequest.of("1").withIdempotencyKey("k")).get();
      q.push(PushRequest.of("1").withIdempotencyKey("k")).get(); // a duplicate: nothing new
      q.push(PushRequest.of("2")).get();
      q.push(PushRequest.of("3")).get();
      q.push(PushRequest.of("4").withDelay(Duration.ofHours(1))).get();
      await().until(() -> jobs("ready") == 3 && jobs("scheduled") == 1);
      assertThat(event("pushed")).isEqualTo(3 + 1);

      Job first = claim(q, null);
      q.complete(first.id(), first.lease().token(), null).get();
      Job second = claim(q, null);
      assertThat(q.fail(second.id(), second.lease().token(), "boom", true).get())
          .isEqualTo(JobStatus.QUEUED);
      Job third = claim(q, null);
      assertThat(q.fail(third.id(), third.lease().token(), "no", false).get())
          .isEqualTo(JobStatus.DEAD);
      // a request the queue refuses commits nothing and counts nothing
      assertThat(q.complete(third.id(), "wrong-token", null))
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class);

      await()
          .untilAsserted(
              () -> {
                assertThat(event("claimed")).isEqualTo(3);
                assertThat(event("completed")).isEqualTo(1);
                assertThat(event("failed")).isEqualTo(2);
                assertThat(event("dead")).isEqualTo(1);
                assertThat(event("retried")).isEqualTo(1);
                assertThat(event("expired")).isZero();
                assertThat(jobs("ready")).isZero();
                assertThat(jobs("scheduled")).isEqualTo(2); // the delayed one, the one backing off
                assertThat(jobs("leased")).isZero();
                assertThat(jobs("dead")).isEqualTo(1);
                assertThat(jobs("finished")).isEqualTo(2);
              });

      // the retried job is due after its back-off; its lease then expires: a second retry
      clock.advance(Duration.ofSeconds(6));
      Job again = claim(q, Duration.ofSeconds(10));
      assertThat(again.id()).isEqualTo(second.id());
      clock.advance(Duration.ofSeconds(11));
      q.push(PushRequest.of("5")).get(); // a batch: the expired lease is released in it
      await()
          .untilAsserted(
              () -> {
                assertThat(event("expired")).isEqualTo(1);
                assertThat(event("dead")).isEqualTo(1);
                assertThat(event("retried")).isEqualTo(2); // released for another try
                assertThat(jobs("dead")).isEqualTo(1);
                assertThat(jobs("ready")).isEqualTo(2);
              });

      double commits = registry.get("casq.commits").functionCounter().count();
      assertThat(commits).isPositive();
      var write = registry.get("casq.commit.write").tag("queue", "jobs").timer();
      assertThat((double) write.count()).isEqualTo(commits);
      CountAtBucket[] buckets = write.takeSnapshot().histogramCounts();
      assertThat(buckets).hasSize(CasqMetrics.LATENCY_BUCKETS.size());
      assertThat(buckets[buckets.length - 1].count()).isEqualTo(commits);
      var batches = registry.get("casq.commit.batch.size").tag("queue", "jobs").summary();
      assertThat((double) batches.count()).isEqualTo(commits);
      assertThat(batches.totalAmount())
          .isEqualTo(registry.get("casq.commands").functionCounter().count());
      assertThat(batches.takeSnapshot().histogramCounts())
          .hasSize(CasqMetrics.BATCH_BUCKETS.size());
    }
  }

  @Test
  void oldestReadyAgeIsMeasuredFromTheRunAtOfTheJobWaitingLongest() throws Exception {
    try (JobQueue q = open()) {
      CasqMetrics.of(q, "jobs", clock).bindTo(registry);
      assertThat(oldestReadyAge()).isZero();
      q.push(PushRequest.of("\"low\"")).get();
      clock.advance(Duration.ofSeconds(30));
      q.push(PushRequest.of("\"high\"").withPriority(5)).get(); // first in line, but younger
      q.push(PushRequest.of("\"later\"").withDelay(Duration.ofMinutes(10))).get();
      clock.advance(Duration.ofSeconds(30));
      await().until(() -> jobs("ready") == 2);
      assertThat(oldestReadyAge()).isEqualTo(60.0);
      clock.advance(Duration.ofMillis(1500)); // no commit: the age still grows
      assertThat(oldestReadyAge()).isEqualTo(61.5);

      assertThat(claim(q, null).payloadJson()).isEqualTo("\"high\"");
      await().until(() -> jobs("ready") == 1);
      assertThat(oldestReadyAge()).isEqualTo(61.5);
      assertThat(claim(q, null).payloadJson()).isEqualTo("\"low\"");
      await().until(() -> jobs("ready") == 0);
      assertThat(oldestReadyAge()).isZero();
    }
  }

  private QueueState stored(String key) {
    return StateCodec.decode(store.read(key).orElseThrow().data());
  }

  @Test
  void oldestReadyAgeCountsTheBacklogInSegmentsWhenTheHeadHoldsNoReadyJob() throws Exception {
    QueueOptions options =
        QueueOptions.builder().clock(clock).headMaxReadyJobs(4).maxAttempts(5).build();
    try (JobQueue q = JobQueue.open(new StoreLocation(store, "deep.json"), options)) {
      CasqMetrics.of(q, "jobs", clock).bindTo(registry);
      List<PushRequest> backlog = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        backlog.add(PushRequest.of(Integer.toString(i)));
      }
      for (var f : q.pushAll(backlog)) {
        f.get();
      }
      assertThat(stored("deep.json").segments()).isNotEmpty();
      clock.advance(Duration.ofSeconds(20));
      int emptyHeads = 0;
      for (int claimed = 0; claimed < 38; claimed++) {
        claim(q, null);
        q.push(PushRequest.of("\"fresh\"").withDelay(Duration.ofHours(1))).get(); // a commit
        if (stored("deep.json").headReadyCount() == 0) {
          emptyHeads++;
        }
        assertThat(oldestReadyAge()).as("after %d claims", claimed + 1).isEqualTo(20.0);
      }
      assertThat(emptyHeads).as("claims that left the head without a ready job").isPositive();
    }
  }

  @Test
  void theQueueTotalsSurviveANewEngineAndTheMetersFollowIt() throws Exception {
    CasqMetrics metrics = new CasqMetrics("jobs", clock);
    metrics.bindTo(registry);
    assertThat(event("pushed")).isZero();
    try (JobQueue q = open()) {
      metrics.follow(q.engine());
      q.push(PushRequest.of("1")).get();
      q.push(PushRequest.of("2")).get();
    }
    try (JobQueue q = open()) {
      metrics.follow(q.engine());
      assertThat(event("pushed")).isEqualTo(2); // read from the object at start
      await().until(() -> jobs("ready") == 2); // due once the engine's first tick looked
      q.push(PushRequest.of("3")).get();
      await().until(() -> event("pushed") == 3);
      assertThat(registry.get("casq.commits").functionCounter().count()).isEqualTo(1);
      assertThat(registry.get("casq.commit.write").timer().count()).isEqualTo(3);
    }
  }
}
