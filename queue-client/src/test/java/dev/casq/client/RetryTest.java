package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.CommitOutcomeUnknownException;
import dev.casq.api.JobStatus;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.api.QueueStats;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries after ambiguous failures never duplicate or lose work. The faults are scripted in the
 * STUB broker (see {@link StubBroker}): the request is applied to the real embedded queue, then the
 * answer is lost (connection closed with nothing sent), delayed past the client's timeout, or
 * replaced by 503 outcome_unknown, which the real broker does not do on demand. The same guarantees
 * against the real broker behind a faulty network: {@link RealBrokerRetryTest}.
 */
class RetryTest {
  record Job(int n) {}

  private StubBroker broker;
  private CasqClient client;
  private ClientQueue<Job> jobs;

  @BeforeEach
  void start() throws Exception {
    String store = "mem://retry-" + UUID.randomUUID() + "/jobs.json";
    broker = StubBroker.start(store, "jobs");
    client =
        CasqClient.builder()
            .storeUri(store)
            .takeover(TakeoverPolicy.NONE)
            .requestTimeout(Duration.ofMillis(400))
            .retry(
                RetryPolicy.defaults()
                    .withDeadline(Duration.ofSeconds(10))
                    .withBackoff(Duration.ofMillis(10), Duration.ofMillis(100)))
            .build();
    jobs = client.queue(Job.class);
  }

  @AfterEach
  void stop() {
    client.close();
    broker.close();
  }

  private static StubBroker.Fault afterApplying(
      String pathEnd, int status, String code, Duration delay) {
    return new StubBroker.Fault(p -> p.endsWith(pathEnd), true, status, code, delay, null);
  }

  @Test
  void pushWhoseAnswerIsLostIsRetriedWithoutADuplicate() {
    broker.addFault(afterApplying("/jobs", 0, null, null)); // connection closed, no answer

    PushResult r = jobs.push(new Job(1), PushOptions.none());

    assertThat(broker.pushesApplied()).isEqualTo(2); // the first attempt landed, the retry too
    assertThat(r.duplicate()).isFalse(); // ... and the caller sees one push
    QueueStats s = jobs.stats();
    assertThat(s.counters().pushed()).isEqualTo(1);
    assertThat(s.ready()).isEqualTo(1);
    assertThat(jobs.claim("w").orElseThrow().id()).isEqualTo(r.jobId());
  }

  @Test
  void pushWhoseAnswerComesAfterTheTimeoutIsRetriedWithoutADuplicate() {
    broker.addFault(afterApplying("/jobs", 201, "late", Duration.ofMillis(1500)));

    String id = jobs.push(new Job(2));

    assertThat(broker.pushesApplied()).isEqualTo(2);
    assertThat(jobs.stats().counters().pushed()).isEqualTo(1);
    assertThat(jobs.get(id).status()).isEqualTo(JobStatus.QUEUED);
  }

  @Test
  void outcomeUnknownIsRetriedWithTheSameKey() {
    broker.addFault(afterApplying("/jobs", 503, "outcome_unknown", null));
    broker.addFault(afterApplying("/jobs", 503, "outcome_unknown", null));

    String id = jobs.push(new Job(3));

    assertThat(broker.pushesApplied()).isEqualTo(3);
    assertThat(jobs.stats().counters().pushed()).isEqualTo(1);
    assertThat(jobs.get(id).key()).isNotBlank();
  }

  @Test
  void callersOwnKeyStillReportsRealDuplicates() {
    PushResult first = jobs.push(new Job(4), PushOptions.none().key("order-4"));
    broker.addFault(afterApplying("/jobs", 0, null, null));
    PushResult second = jobs.push(new Job(4), PushOptions.none().key("order-4"));
    assertThat(second).isEqualTo(new PushResult(first.jobId(), true));
  }

  @Test
  void batchPushWhoseAnswerIsLostDoesNotDuplicate() {
    broker.addFault(afterApplying("/jobs/batch", 0, null, null));
    List<PushResult> results = jobs.pushAll(List.of(new Job(1), new Job(2), new Job(3)));
    assertThat(results).extracting(PushResult::duplicate).containsOnly(false);
    assertThat(jobs.stats().counters().pushed()).isEqualTo(3);
  }

  @Test
  void claimWhoseAnswerIsLostIsRetriedAndGetsTheSameJob() {
    String first = jobs.push(new Job(11));
    String second = jobs.push(new Job(12));
    broker.addFault(afterApplying("/claim", 0, null, null)); // applied, then the answer is lost

    LeasedJob<Job> got = jobs.claim("w").orElseThrow();

    assertThat(got.id()).isEqualTo(first);
    QueueStats s = jobs.stats();
    assertThat(s.counters().claimed()).isEqualTo(1); // one lease, not a second job
    assertThat(s.ready()).isEqualTo(1);
    jobs.complete(got); // the token the retry returned is the lease's
    assertThat(jobs.get(first).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(jobs.get(second).status()).isEqualTo(JobStatus.QUEUED);
  }

  @Test
  void claimWhoseAnswerComesAfterTheTimeoutIsRetriedAndGetsTheSameJob() {
    String first = jobs.push(new Job(13));
    jobs.push(new Job(14));
    broker.addFault(afterApplying("/claim", 200, "late", Duration.ofMillis(1500)));

    LeasedJob<Job> got = jobs.claim("w").orElseThrow();

    assertThat(got.id()).isEqualTo(first);
    assertThat(jobs.stats().counters().claimed()).isEqualTo(1);
    assertThat(jobs.stats().ready()).isEqualTo(1);
  }

  @Test
  void completeWhoseAnswerIsLostCountsAsDoneOnRetry() {
    jobs.push(new Job(5));
    LeasedJob<Job> job = jobs.claim("w").orElseThrow();
    broker.addFault(afterApplying("/complete", 0, null, null));

    jobs.complete(job); // the retry finds the job finished (not_found): success

    assertThat(jobs.stats().counters().completed()).isEqualTo(1);
    assertThat(jobs.get(job.id()).status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void aBatchCompletionWhoseAnswerIsLostCountsItsJobsAsDoneOnRetry() {
    jobs.push(new Job(6));
    jobs.push(new Job(7));
    List<LeasedJob<Job>> held =
        jobs.claim(new dev.casq.api.ClaimRequest("w", null, 2, null), java.time.Duration.ZERO);
    assertThat(held).hasSize(2);
    broker.addFault(afterApplying("/jobs/complete", 0, null, null));

    jobs.completeAll(held); // the retry finds both finished (not_found): success

    assertThat(jobs.stats().counters().completed()).isEqualTo(2);
    for (LeasedJob<Job> j : held) {
      assertThat(jobs.get(j.id()).status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void completeRetriedAfterAnAmbiguousAttemptDoesNotClaimAJobSomeoneElseHolds() throws Exception {
    jobs.push(new Job(9));
    LeasedJob<Job> job = jobs.claim("w").orElseThrow();
    // our lease ends and another worker holds the job now
    broker.queue().release(job.id(), job.leaseToken()).get();
    assertThat(broker.queue().claim(dev.casq.api.ClaimRequest.one("other")).get()).hasSize(1);
    // the first attempt is lost before it is applied; the retry meets the other worker's lease
    broker.addFault(new StubBroker.Fault(p -> p.endsWith("/complete"), false, 0, null, null, null));

    assertThatThrownBy(() -> jobs.complete(job))
        .isInstanceOf(dev.casq.api.LeaseRejectedException.class);
    assertThat(jobs.stats().counters().completed()).isZero();
  }

  @Test
  void failWhoseAnswerIsLostReportsTheStatusTheFirstAttemptProduced() {
    jobs.push(new Job(6));
    LeasedJob<Job> job = jobs.claim("w").orElseThrow();
    broker.addFault(afterApplying("/fail", 0, null, null));

    assertThat(jobs.fail(job, "boom")).isEqualTo(JobStatus.QUEUED);
    assertThat(jobs.stats().counters().failed()).isEqualTo(1);
  }

  @Test
  void completeWithoutAnAmbiguousAttemptStillReportsTheError() {
    jobs.push(new Job(7));
    LeasedJob<Job> job = jobs.claim("w").orElseThrow();
    jobs.complete(job);
    assertThatThrownBy(() -> jobs.complete(job))
        .isInstanceOf(dev.casq.api.JobNotFoundException.class);
  }

  @Test
  void nonRetryableErrorsAreNotRetried() {
    int before = broker.requests();
    assertThatThrownBy(() -> jobs.cancel("j404"))
        .isInstanceOf(dev.casq.api.JobNotFoundException.class);
    assertThat(broker.requests() - before).isEqualTo(1);
  }

  @Test
  void serviceUnavailableIsRetriedAndNotAmbiguous() {
    broker.addFault(
        new StubBroker.Fault(p -> p.endsWith("/jobs"), false, 503, "unavailable", null, null));
    String id = jobs.push(new Job(8));
    assertThat(broker.pushesApplied()).isEqualTo(1);
    assertThat(jobs.get(id).status()).isEqualTo(JobStatus.QUEUED);
  }

  @Test
  void outcomeUnknownUntilTheDeadlineSaysSo() throws Exception {
    try (CasqClient quick =
        CasqClient.builder()
            .brokerUrl(broker.address())
            .queueName("jobs")
            .retry(
                RetryPolicy.defaults()
                    .withDeadline(Duration.ofMillis(300))
                    .withBackoff(Duration.ofMillis(20), Duration.ofMillis(50)))
            .build()) {
      for (int i = 0; i < 100; i++) {
        broker.addFault(afterApplying("/jobs", 503, "outcome_unknown", null));
      }
      assertThatThrownBy(() -> quick.queue(Job.class).push(new Job(9)))
          .isInstanceOf(CommitOutcomeUnknownException.class)
          .hasMessageContaining("could not push");
    }
  }

  @Test
  void unreachableBrokerFailsAtTheDeadlineAsNotApplied() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    try (CasqClient nowhere =
        CasqClient.builder()
            .brokerUrl("http://127.0.0.1:" + port)
            .queueName("jobs")
            .retry(
                RetryPolicy.defaults()
                    .withDeadline(Duration.ofMillis(400))
                    .withBackoff(Duration.ofMillis(20), Duration.ofMillis(50)))
            .build()) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> nowhere.queue(Job.class).push(new Job(10)))
          .isInstanceOfSatisfying(
              BrokerUnavailableException.class, e -> assertThat(e.mayHaveBeenApplied()).isFalse())
          .hasMessageContaining("connection refused")
          .hasMessageContaining("127.0.0.1:" + port);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }
  }
}
