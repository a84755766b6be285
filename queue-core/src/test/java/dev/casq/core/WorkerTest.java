package dev.casq.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.PushOptions;
import dev.casq.api.WorkerOptions;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerTest {
  record Task(int n) {}

  private static Queue<Task> open(String name) {
    return Casq.open("mem://worker-test-" + name + "/q.json", Task.class);
  }

  @Test
  void runsEveryJobOnceCompletesAndRetriesFailures() {
    try (Queue<Task> q = open("run")) {
      for (int i = 0; i < 50; i++) {
        q.push(new Task(i), PushOptions.none().maxAttempts(3));
      }
      Set<Integer> seen = ConcurrentHashMap.newKeySet();
      Set<Integer> failedOnce = ConcurrentHashMap.newKeySet();
      try (Worker<Task> w =
          q.worker(
              job -> {
                int n = job.payload().n();
                if (n % 10 == 0 && failedOnce.add(n)) {
                  throw new IllegalStateException("first try of " + n + " fails");
                }
                seen.add(n);
              },
              WorkerOptions.of("w", 4))) {
        // failures back off 1s before their retry
        await().atMost(Duration.ofSeconds(30)).until(() -> q.stats().counters().completed() == 50);
        assertThat(w.failed()).isEqualTo(5);
      }
      assertThat(seen).hasSize(50);
      assertThat(q.stats().counters().failed()).isEqualTo(5);
    }
  }

  @Test
  void heartbeatsKeepALongJobLeasedAndCloseReleasesWhatDidNotFinish() throws Exception {
    try (Queue<Task> q = open("heartbeat")) {
      String id = q.push(new Task(1));
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch finish = new CountDownLatch(1);
      WorkerOptions options =
          WorkerOptions.of("slow", 1)
              .withLease(Duration.ofMillis(900))
              .withHeartbeatInterval(Duration.ofMillis(150))
              .withShutdownGrace(Duration.ofMillis(200));
      Worker<Task> w =
          q.worker(
              job -> {
                started.countDown();
                finish.await(); // runs until the test lets it go (or close interrupts it)
              },
              options);
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      Instant firstExpiry = q.jobs().get(id).get().lease().expiresAt();
      // the lease is extended again and again while the handler runs
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  q.jobs().get(id).get().lease().expiresAt().isAfter(firstExpiry.plusMillis(900)));
      assertThat(q.stats().counters().expired()).isZero();
      // shutting down with the job still running releases it without counting the attempt
      w.close();
      Job after = q.jobs().get(id).get();
      assertThat(after.status()).isEqualTo(JobStatus.QUEUED);
      assertThat(after.attempts()).isZero();
      finish.countDown();
    }
  }
}
