package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.api.JobStatus;
import dev.casq.api.LeasedJob;
import dev.casq.core.internal.LeaseWatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's completions go out in batches: at once when none is in flight, else together when
 * the one in flight is answered; a job whose lease is lost before its batch is sent is not
 * completed (against a stub broker that counts, and can hold, the batch requests).
 */
class CompletionBatcherTest {
  record Task(int n) {}

  private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  private StubBroker stub;
  private CasqClient client;
  private ClientQueue<Task> tasks;
  private final AtomicInteger batchRequests = new AtomicInteger();
  private final CountDownLatch firstHeld = new CountDownLatch(1);
  private final CountDownLatch releaseFirst = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    stub = StubBroker.start("mem://completion-batcher-" + UUID.randomUUID() + "/t.json", "tasks");
    // never matches; counts the batch completions and holds the first until the test lets it go
    stub.addFault(
        new StubBroker.Fault(
            p -> {
              if (p.endsWith("/jobs/complete") && batchRequests.incrementAndGet() == 1) {
                firstHeld.countDown();
                try {
                  releaseFirst.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return false;
            },
            false,
            500,
            "x",
            null,
            null));
    client = CasqClient.builder().brokerUrl(stub.address()).queueName("tasks").build();
    tasks = client.queue(Task.class);
  }

  @AfterEach
  void stop() {
    releaseFirst.countDown();
    client.close();
    stub.close();
  }

  private List<LeasedJob<Task>> claimed(int n) {
    List<Task> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(new Task(i));
    }
    tasks.pushAll(all);
    List<LeasedJob<Task>> got =
        tasks.claim(new ClaimRequest("w", Duration.ofMinutes(5), n, null), Duration.ZERO);
    assertThat(got).hasSize(n);
    return got;
  }

  private static LeaseWatch valid() {
    return new LeaseWatch(NOW.plus(Duration.ofMinutes(1)));
  }

  @Test
  void completionsThatWaitForTheRequestInFlightGoOutTogetherInOneRequest() throws Exception {
    List<LeasedJob<Task>> jobs = claimed(5);
    CompletionBatcher<Task> batcher =
        new CompletionBatcher<>(tasks, Clock.fixed(NOW, ZoneOffset.UTC));

    List<CompletableFuture<CompletionBatcher.Result>> results = new ArrayList<>();
    results.add(batcher.complete(jobs.get(0), valid())); // sent at once: none in flight
    assertThat(firstHeld.await(20, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < 5; i++) {
      results.add(batcher.complete(jobs.get(i), valid())); // wait for the first's answer
    }
    assertThat(batchRequests.get()).isEqualTo(1);
    releaseFirst.countDown();

    for (CompletableFuture<CompletionBatcher.Result> r : results) {
      assertThat(r.get(20, TimeUnit.SECONDS).outcome())
          .isEqualTo(CompletionBatcher.Outcome.COMPLETED);
    }
    assertThat(batchRequests.get()).isEqualTo(2);
    for (LeasedJob<Task> j : jobs) {
      assertThat(tasks.get(j.id()).status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void aJobWhoseLeaseIsLostBeforeItsBatchIsSentIsNotCompleted() throws Exception {
    releaseFirst.countDown();
    List<LeasedJob<Task>> jobs = claimed(2);
    CompletionBatcher<Task> batcher =
        new CompletionBatcher<>(tasks, Clock.fixed(NOW, ZoneOffset.UTC));
    LeaseWatch expired = new LeaseWatch(NOW.minusMillis(1));
    LeaseWatch rejected = valid();
    rejected.rejected();

    assertThat(batcher.complete(jobs.get(0), expired).get(20, TimeUnit.SECONDS).outcome())
        .isEqualTo(CompletionBatcher.Outcome.LEASE_LOST);
    assertThat(batcher.complete(jobs.get(1), rejected).get(20, TimeUnit.SECONDS).outcome())
        .isEqualTo(CompletionBatcher.Outcome.LEASE_LOST);

    assertThat(batchRequests.get()).isZero(); // nothing was sent
    assertThat(tasks.get(jobs.get(0).id()).status()).isEqualTo(JobStatus.LEASED);
    assertThat(tasks.get(jobs.get(1).id()).status()).isEqualTo(JobStatus.LEASED);
  }

  @Test
  void aRefusedJobIsReportedAsRejectedAndTheOthersOfItsBatchAreCompleted() throws Exception {
    List<LeasedJob<Task>> jobs = claimed(3);
    CompletionBatcher<Task> batcher =
        new CompletionBatcher<>(tasks, Clock.fixed(NOW, ZoneOffset.UTC));
    CompletableFuture<CompletionBatcher.Result> first = batcher.complete(jobs.get(0), valid());
    assertThat(firstHeld.await(20, TimeUnit.SECONDS)).isTrue();
    LeasedJob<Task> wrong = jobs.get(1);
    LeasedJob<Task> wrongToken =
        new LeasedJob<>(
            wrong.id(),
            wrong.payload(),
            wrong.payloadJson(),
            "not-the-token",
            wrong.leaseExpiresAt(),
            wrong.attempts(),
            wrong.maxAttempts(),
            wrong.type(),
            wrong.priority());
    CompletableFuture<CompletionBatcher.Result> refused = batcher.complete(wrongToken, valid());
    CompletableFuture<CompletionBatcher.Result> good = batcher.complete(jobs.get(2), valid());
    releaseFirst.countDown();

    assertThat(first.get(20, TimeUnit.SECONDS).outcome())
        .isEqualTo(CompletionBatcher.Outcome.COMPLETED);
    CompletionBatcher.Result r = refused.get(20, TimeUnit.SECONDS);
    assertThat(r.outcome()).isEqualTo(CompletionBatcher.Outcome.REJECTED);
    assertThat(r.error()).isInstanceOf(dev.casq.api.LeaseRejectedException.class);
    assertThat(good.get(20, TimeUnit.SECONDS).outcome())
        .isEqualTo(CompletionBatcher.Outcome.COMPLETED);
    assertThat(batchRequests.get()).isEqualTo(2);
    assertThat(tasks.get(wrong.id()).status()).isEqualTo(JobStatus.LEASED);
    assertThat(tasks.get(jobs.get(2).id()).status()).isEqualTo(JobStatus.COMPLETED);
  }
}
