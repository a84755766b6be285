package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.JobHandler;
import dev.casq.api.WorkerOptions;
import dev.casq.core.internal.ClaimBackoff;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobStatus;
import dev.casq.core.internal.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client worker stops safely (against a STUB broker whose answers the test scripts): lost
 * leases reach the handler, nothing is reported after them, stuck handlers keep their jobs at
 * shutdown, and failing claims back off.
 */
class ClientWorkerSafetyTest {
  record Task(int n) {}

  private StubBroker stub;
  private CasqClient client;
  private ClientQueue<Task> tasks;
  private final AtomicInteger completes = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    stub =
        StubBroker.start(
            "mem://client-worker-safety-" + UUID.randomUUID() + "/tasks.json", "tasks");
    // never matches; counts the completions the worker sends
    stub.addFault(
        new StubBroker.Fault(
            p -> p.endsWith("/complete") && completes.incrementAndGet() < 0,
            false,
            500,
            "x",
            null,
            null));
    client =
        CasqClient.builder()
            .brokerUrl(stub.address())
            .queueName("tasks")
            .retry(
                RetryPolicy.defaults()
                    .withDeadline(Duration.ofMillis(300))
                    .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50)))
            .build();
    tasks = client.queue(Task.class);
  }

  @AfterEach
  void stop() {
    client.close();
    stub.close();
  }

  private void failAlways(Predicate<String> path, int status, String code) {
    for (int i = 0; i < 10_000; i++) {
      stub.addFault(new StubBroker.Fault(path, false, status, code, null, null));
    }
  }

  private static WorkerOptions options() {
    return WorkerOptions.of("w", 1)
        .withPollWait(Duration.ofMillis(100))
        .withShutdownGrace(Duration.ofMillis(200));
  }

  /**
   * A handler that waits until interrupted and records what it saw; after a lost lease it returns
   * normally (which must not complete the job), otherwise it stops by throwing.
   */
  private static JobHandler<Task> waitForInterrupt(
      CountDownLatch started, CountDownLatch noticed, AtomicBoolean sawLeaseLost) {
    return job -> {
      started.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        if (!job.leaseLost()) {
          throw e;
        }
        sawLeaseLost.set(job.cancellation().leaseLost());
        noticed.countDown();
      }
    };
  }

  @Test
  void aRejectedHeartbeatCancelsAndInterruptsTheHandlerAndNothingIsReported() throws Exception {
    String id = tasks.push(new Task(1));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch noticed = new CountDownLatch(1);
    AtomicBoolean sawLeaseLost = new AtomicBoolean();
    try (ClientWorker<Task> w =
        tasks.worker(
            waitForInterrupt(started, noticed, sawLeaseLost),
            options()
                .withLease(Duration.ofSeconds(30))
                .withHeartbeatInterval(Duration.ofMillis(50)))) {
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      Job leased = stub.queue().get(id).get();
      stub.queue().release(id, leased.lease().token()).get(); // the lease is gone at the broker
      stub.queue()
          .claim(
              new dev.casq.api.ClaimRequest("other", Duration.ofMinutes(5), 1, java.util.Set.of()),
              Duration.ZERO)
          .get(); // and someone else holds the job

      assertThat(noticed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(sawLeaseLost).isTrue();
      await().atMost(10, TimeUnit.SECONDS).until(() -> w.lost() == 1);
      assertThat(w.completed()).isZero();
      assertThat(w.failed()).isZero();
    }
    assertThat(completes.get()).isZero(); // not even tried
    assertThat(stub.queue().get(id).get().lease().worker()).isEqualTo("other");
  }

  @Test
  void heartbeatsFailingUntilTheLeaseExpiresLoseTheLease() throws Exception {
    String id = tasks.push(new Task(1));
    failAlways(p -> p.endsWith("/heartbeat"), 503, "unavailable");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch noticed = new CountDownLatch(1);
    AtomicBoolean sawLeaseLost = new AtomicBoolean();
    try (ClientWorker<Task> w =
        tasks.worker(
            waitForInterrupt(started, noticed, sawLeaseLost),
            options()
                .withLease(Duration.ofMillis(800))
                .withHeartbeatInterval(Duration.ofMillis(100)))) {
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(noticed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(sawLeaseLost).isTrue();
      await().atMost(10, TimeUnit.SECONDS).until(() -> w.lost() >= 1);
      assertThat(w.completed()).isZero();
    }
    assertThat(completes.get()).isZero();
    assertThat(stub.queue().get(id).get().status()).isNotEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void closeLeavesTheLeaseOfAHandlerThatWillNotStop() throws Exception {
    String id = tasks.push(new Task(1));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    AtomicBoolean signalled = new AtomicBoolean();
    ClientWorker<Task> w =
        tasks.worker(
            job -> {
              started.countDown();
              while (letGo.getCount() > 0) { // deaf to interrupts
                try {
                  letGo.await();
                } catch (InterruptedException e) {
                  signalled.set(job.isCancelled());
                }
              }
            },
            options().withLease(Duration.ofSeconds(60)).withShutdownGrace(Duration.ofMillis(100)));
    try {
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      w.close();

      assertThat(signalled).isTrue();
      assertThat(w.released()).isZero();
      Job job = stub.queue().get(id).get();
      assertThat(job.status()).isEqualTo(JobStatus.LEASED); // may still run: not handed out again
      assertThat(job.lease().worker()).isEqualTo("w");
    } finally {
      letGo.countDown();
    }
    await().atMost(10, TimeUnit.SECONDS).until(w::isStopped);
    assertThat(completes.get()).isZero(); // given up: its outcome is not reported
  }

  @Test
  void failingClaimsBackOffExponentiallyAndASuccessResetsIt() throws Exception {
    AtomicInteger claims = new AtomicInteger();
    // never matches; the first fault looked at, so it counts each claim once
    stub.addFault(
        new StubBroker.Fault(
            p -> p.endsWith("/claim") && claims.incrementAndGet() < 0,
            false,
            500,
            "x",
            null,
            null));
    // claims 1-5 fail, the 6th gets through (nothing to claim), then they fail again
    failAlways(p -> p.endsWith("/claim") && claims.get() != 6, 500, "internal");
    List<Duration> pauses = new CopyOnWriteArrayList<>();
    CountDownLatch enough = new CountDownLatch(8);
    CountDownLatch release = new CountDownLatch(1);
    Sleeper recording =
        d -> {
          pauses.add(d);
          enough.countDown();
          if (enough.getCount() == 0) {
            release.await();
          }
        };
    ClientWorker<Task> w =
        new ClientWorker<>(
            tasks, job -> {}, options(), Clock.systemUTC(), recording, ClaimBackoff.defaults());
    try {
      assertThat(enough.await(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      release.countDown();
      w.close();
    }
    long[] steps = {50, 100, 200, 400, 800, 50, 100, 200};
    for (int i = 0; i < steps.length; i++) {
      assertThat(pauses.get(i).toMillis()).as("pause %d", i + 1).isBetween(steps[i] / 2, steps[i]);
    }
  }
}
