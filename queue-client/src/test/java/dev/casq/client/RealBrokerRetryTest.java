package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.JobStatus;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.api.QueueStats;
import dev.casq.broker.CasqBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries against the real broker behind a faulty TCP proxy: the request reaches the broker and is
 * applied, then the connection is reset before the answer arrives, or the answer comes after the
 * client's timeout. The retry must not create a second job.
 */
class RealBrokerRetryTest {
  record Job(int n) {}

  @TempDir Path dir;
  private CasqBroker broker;
  private FaultyProxy proxy;
  private CasqClient client;
  private ClientQueue<Job> jobs;

  @BeforeEach
  void start() throws Exception {
    broker = Brokers.start(Brokers.store(dir, "jobs"));
    proxy = new FaultyProxy(broker.address());
    client =
        CasqClient.builder()
            .brokerUrl(proxy.address())
            .queueName("jobs")
            .requestTimeout(Duration.ofMillis(500))
            .retry(
                RetryPolicy.defaults()
                    .withDeadline(Duration.ofSeconds(10))
                    .withBackoff(Duration.ofMillis(10), Duration.ofMillis(100)))
            .build();
    jobs = client.queue(Job.class);
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void pushRetriedAfterAConnectionResetDoesNotDuplicate() {
    proxy.dropNextAnswer();
    PushResult r = jobs.push(new Job(1), PushOptions.none());

    assertThat(proxy.faultsApplied()).isEqualTo(1);
    assertThat(r.duplicate()).isFalse();
    QueueStats s = jobs.stats();
    assertThat(s.counters().pushed()).isEqualTo(1);
    assertThat(s.ready()).isEqualTo(1);
    assertThat(jobs.claim("w").orElseThrow().id()).isEqualTo(r.jobId());
  }

  @Test
  void pushRetriedAfterATimeoutDoesNotDuplicate() {
    proxy.delayNextAnswer(Duration.ofMillis(1500));
    String id = jobs.push(new Job(2));

    assertThat(proxy.faultsApplied()).isEqualTo(1);
    assertThat(jobs.stats().counters().pushed()).isEqualTo(1);
    assertThat(jobs.get(id).status()).isEqualTo(JobStatus.QUEUED);
  }

  @Test
  void batchRetriedAfterAConnectionResetDoesNotDuplicate() {
    proxy.dropNextAnswer();
    List<PushResult> r = jobs.pushAll(List.of(new Job(1), new Job(2), new Job(3)));
    assertThat(r).extracting(PushResult::duplicate).containsOnly(false);
    assertThat(jobs.stats().counters().pushed()).isEqualTo(3);
  }

  @Test
  void claimRetriedAfterAConnectionResetGetsTheSameJob() {
    String first = jobs.push(new Job(4));
    String second = jobs.push(new Job(5));
    proxy.dropNextAnswer();

    LeasedJob<Job> got = jobs.claim("w").orElseThrow();

    assertThat(proxy.faultsApplied()).isEqualTo(1);
    assertThat(got.id()).isEqualTo(first);
    QueueStats s = jobs.stats();
    assertThat(s.counters().claimed()).isEqualTo(1);
    assertThat(s.ready()).isEqualTo(1);
    jobs.complete(got);
    assertThat(jobs.get(first).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(jobs.get(second).status()).isEqualTo(JobStatus.QUEUED);
  }

  @Test
  void claimRetriedAfterATimeoutGetsTheSameJob() {
    String first = jobs.push(new Job(6));
    jobs.push(new Job(7));
    proxy.delayNextAnswer(Duration.ofMillis(1500));

    LeasedJob<Job> got = jobs.claim("w").orElseThrow();

    assertThat(proxy.faultsApplied()).isEqualTo(1);
    assertThat(got.id()).isEqualTo(first);
    assertThat(jobs.stats().counters().claimed()).isEqualTo(1);
    assertThat(jobs.stats().ready()).isEqualTo(1);
  }

  @Test
  void completeRetriedAfterAConnectionResetSucceedsOnce() {
    jobs.push(new Job(3));
    LeasedJob<Job> job = jobs.claim("w").orElseThrow();
    proxy.dropNextAnswer();

    jobs.complete(job);

    assertThat(proxy.faultsApplied()).isEqualTo(1);
    assertThat(jobs.stats().counters().completed()).isEqualTo(1);
    assertThat(jobs.get(job.id()).status()).isEqualTo(JobStatus.COMPLETED);
  }
}
