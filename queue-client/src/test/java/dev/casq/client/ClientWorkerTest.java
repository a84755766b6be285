package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.JobInfo;
import dev.casq.api.JobStatus;
import dev.casq.api.PushOptions;
import dev.casq.api.QueueStats;
import dev.casq.api.WorkerOptions;
import dev.casq.broker.CasqBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientWorkerTest {
  record Task(int n) {}

  @TempDir Path dir;
  private CasqBroker broker;
  private CasqClient client;
  private ClientQueue<Task> tasks;

  @BeforeEach
  void start() {
    String store = Brokers.store(dir, "tasks");
    broker = Brokers.start(store);
    client =
        CasqClient.builder()
            .storeUri(store)
            .storeProperties(Brokers.props())
            .takeover(TakeoverPolicy.NONE)
            .build();
    tasks = client.queue(Task.class);
  }

  @AfterEach
  void stop() {
    client.close();
    broker.close();
  }

  private static WorkerOptions options(int concurrency) {
    return WorkerOptions.of("w", concurrency).withPollWait(Duration.ofMillis(200));
  }

  @Test
  void runsEveryJobOnceWithConcurrency() {
    List<Task> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(new Task(i));
    }
    tasks.pushAll(all);
    Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
    AtomicInteger inParallel = new AtomicInteger();
    AtomicInteger maxParallel = new AtomicInteger();
    CountDownLatch fourAtOnce = new CountDownLatch(4);
    try (ClientWorker<Task> w =
        tasks.worker(
            job -> {
              int now = inParallel.incrementAndGet();
              maxParallel.accumulateAndGet(now, Math::max);
              fourAtOnce.countDown();
              fourAtOnce.await(5, TimeUnit.SECONDS); // the first four meet: concurrency is real
              runs.computeIfAbsent(job.payload().n(), k -> new AtomicInteger()).incrementAndGet();
              inParallel.decrementAndGet();
            },
            options(4))) {
      await().atMost(20, TimeUnit.SECONDS).until(() -> w.completed() == 40);
    }
    assertThat(runs).hasSize(40);
    assertThat(runs.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
    assertThat(maxParallel.get()).isEqualTo(4);
    QueueStats s = tasks.stats();
    assertThat(s.counters().completed()).isEqualTo(40);
    assertThat(s.pending()).isZero();
  }

  @Test
  void aThrowingHandlerFailsTheAttemptAndTheJobIsRetriedUntilDead() {
    String id = tasks.push(new Task(1), PushOptions.none().maxAttempts(2)).jobId();
    AtomicInteger calls = new AtomicInteger();
    try (ClientWorker<Task> w =
        tasks.worker(
            job -> {
              calls.incrementAndGet();
              throw new IllegalStateException("no luck #" + job.attempts());
            },
            options(1))) {
      await().atMost(20, TimeUnit.SECONDS).until(() -> tasks.get(id).status() == JobStatus.DEAD);
      assertThat(w.failed()).isEqualTo(2);
    }
    assertThat(calls.get()).isEqualTo(2);
    assertThat(tasks.get(id).lastError()).contains("no luck #2");
  }

  @Test
  void heartbeatsKeepALongJobLeased() throws Exception {
    String id = tasks.push(new Task(1));
    CountDownLatch finish = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    WorkerOptions o = options(1).withLease(Duration.ofMillis(600));
    try (ClientWorker<Task> w =
        tasks.worker(
            job -> {
              started.countDown();
              finish.await();
            },
            o)) {
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      Instant first = tasks.get(id).leaseExpiresAt();
      // the lease is extended several times, well past its first expiry
      await()
          .atMost(10, TimeUnit.SECONDS)
          .until(() -> tasks.get(id).leaseExpiresAt().isAfter(first.plusMillis(1000)));
      JobInfo<Task> info = tasks.get(id);
      assertThat(info.status()).isEqualTo(JobStatus.LEASED);
      assertThat(info.attempts()).isEqualTo(1);
      finish.countDown();
      await().atMost(10, TimeUnit.SECONDS).until(() -> w.completed() == 1);
    }
    assertThat(tasks.stats().counters().expired()).isZero();
    assertThat(tasks.get(id).status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void shutdownReleasesJobsThatDoNotFinishInTheGracePeriod() throws Exception {
    String id = tasks.push(new Task(1));
    CountDownLatch started = new CountDownLatch(1);
    ClientWorker<Task> w =
        tasks.worker(
            job -> {
              started.countDown();
              new CountDownLatch(1).await(); // runs until interrupted
            },
            options(2).withShutdownGrace(Duration.ofMillis(200)));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    w.close();
    assertThat(w.isStopped()).isTrue();
    assertThat(w.released()).isEqualTo(1);
    assertThat(w.failed()).isZero();
    JobInfo<Task> info = tasks.get(id);
    assertThat(info.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(info.attempts()).isZero(); // a release does not count the attempt
  }

  @Test
  void shutdownLetsRunningJobsFinishWithinTheGracePeriod() throws Exception {
    String id = tasks.push(new Task(1));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch closing = new CountDownLatch(1);
    ClientWorker<Task> w =
        tasks.worker(
            job -> {
              started.countDown();
              closing.await();
            },
            options(1).withShutdownGrace(Duration.ofSeconds(10)));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(w::close);
    closer.start();
    await()
        .atMost(5, TimeUnit.SECONDS)
        .until(() -> closer.getState() == Thread.State.TIMED_WAITING);
    closing.countDown(); // the job finishes while close() waits
    closer.join(10_000);
    assertThat(w.completed()).isEqualTo(1);
    assertThat(w.released()).isZero();
    assertThat(tasks.get(id).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(tasks.claim(new dev.casq.api.ClaimRequest("x", null, 1, Set.of()), Duration.ZERO))
        .isEmpty();
  }
}
