package dev.casq.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.LeasedJob;
import dev.casq.api.QueueException;
import dev.casq.api.WorkerOptions;
import dev.casq.core.internal.ClaimBackoff;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobStatus;
import dev.casq.core.internal.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The embedded worker stops safely: lost leases, shutdown with stuck handlers, failing claims. */
class WorkerSafetyTest {
  record Task(int n) {}

  private static Queue<Task> open(String name) {
    return Casq.open("mem://worker-safety-" + name + "/q.json", Task.class);
  }

  @Test
  void aLostLeaseCancelsAndInterruptsTheHandlerAndItsOutcomeIsNotReported() throws Exception {
    try (Queue<Task> q = open("lost")) {
      String id = q.push(new Task(1));
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch noticed = new CountDownLatch(1);
      AtomicBoolean sawLeaseLost = new AtomicBoolean();
      WorkerOptions options =
          WorkerOptions.of("w", 1)
              .withLease(Duration.ofSeconds(30))
              .withHeartbeatInterval(Duration.ofMillis(50));
      try (Worker<Task> w =
          q.worker(
              job -> {
                started.countDown();
                try {
                  new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                  sawLeaseLost.set(job.leaseLost() && job.cancellation().leaseLost());
                  noticed.countDown();
                }
                // returns normally: must still not complete a job whose lease is lost
              },
              options)) {
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        // someone else takes the job: the worker's lease is no longer valid
        Job leased = q.jobs().get(id).get();
        q.jobs().release(id, leased.lease().token()).get(10, TimeUnit.SECONDS);
        LeasedJob<Task> other = q.claim("other").orElseThrow();

        assertThat(noticed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sawLeaseLost).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> w.lost() == 1);
        assertThat(w.completed()).isZero();
        assertThat(w.failed()).isZero();
        Job now = q.jobs().get(id).get();
        assertThat(now.status()).isEqualTo(JobStatus.LEASED);
        assertThat(now.lease().token()).isEqualTo(other.leaseToken());
      }
    }
  }

  @Test
  void closeDoesNotReleaseAJobWhoseHandlerIgnoresTheStopSignals() throws Exception {
    try (Queue<Task> q = open("stuck")) {
      String id = q.push(new Task(1));
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch letGo = new CountDownLatch(1);
      AtomicBoolean signalled = new AtomicBoolean();
      Worker<Task> w =
          q.worker(
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
              WorkerOptions.of("w", 1)
                  .withLease(Duration.ofSeconds(60))
                  .withShutdownGrace(Duration.ofMillis(100)));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      w.close(); // grace, interrupt, then gives up waiting

      assertThat(signalled).isTrue();
      Job after = q.jobs().get(id).get();
      assertThat(after.status()).isEqualTo(JobStatus.LEASED); // still held: may still run
      assertThat(after.lease().worker()).isEqualTo("w");
      letGo.countDown();
    }
  }

  @Test
  void aHandlerThatStopsOnTheShutdownSignalGetsItsJobReleased() throws Exception {
    try (Queue<Task> q = open("cooperative")) {
      String id = q.push(new Task(1));
      CountDownLatch started = new CountDownLatch(1);
      Worker<Task> w =
          q.worker(
              job -> {
                started.countDown();
                await().atMost(Duration.ofSeconds(10)).until(job::isCancelled);
                job.cancellation().throwIfCancelled();
              },
              WorkerOptions.of("w", 1).withShutdownGrace(Duration.ofSeconds(10)));
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      w.close();
      Job after = q.jobs().get(id).get();
      assertThat(after.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(after.attempts()).isZero();
      assertThat(w.failed()).isZero();
    }
  }

  @Test
  void failingClaimsBackOffExponentiallyWithJitter() throws Exception {
    try (Queue<Task> q = open("backoff")) {
      // fence the queue's engine: from now on every claim fails at once
      q.jobs()
          .engine()
          .guard(
              state -> {
                throw new FencedException(null);
              });
      try {
        q.push(new Task(1));
      } catch (QueueException expected) {
        // the push that met the guard
      }
      List<Duration> pauses = new CopyOnWriteArrayList<>();
      CountDownLatch enough = new CountDownLatch(10);
      CountDownLatch never = new CountDownLatch(1);
      Sleeper recording =
          d -> {
            pauses.add(d);
            enough.countDown();
            if (enough.getCount() == 0) {
              never.await(); // holds the loop still until close() interrupts... or forever
            }
          };
      Worker<Task> w =
          new Worker<>(
              q,
              job -> {},
              WorkerOptions.of("w", 1),
              Clock.systemUTC(),
              recording,
              ClaimBackoff.defaults());
      try {
        assertThat(enough.await(10, TimeUnit.SECONDS)).isTrue();
      } finally {
        never.countDown();
        w.close();
      }
      for (int i = 0; i < 10; i++) {
        long step = Math.min(5_000, 50L << i);
        assertThat(pauses.get(i).toMillis()).as("pause %d", i + 1).isBetween(step / 2, step);
      }
    }
  }
}
