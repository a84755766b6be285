package dev.casq.core.bench;

import dev.casq.core.QueueOptions;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pushes with no consumer: {@code threads} producers push (blocking, one at a time) into an
 * embedded queue on durable file:// for {@code seconds}; prints pushes/s per 10 s, the depth and
 * the queue object's size. Run once with {@code headMax} 0 (every job in the object) and once with
 * segments.
 *
 * <p>Run: {@code scripts/bench-main.sh dev.casq.core.bench.BacklogGrowthBenchmark 60 64 0 10000}
 * (seconds, threads, then one run per headMax value).
 */
public final class BacklogGrowthBenchmark {
  public static void main(String[] args) throws Exception {
    int seconds = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    for (int a = 2; a < args.length; a++) {
      run(seconds, threads, Integer.parseInt(args[a]));
    }
  }

  private static void run(int seconds, int threads, int headMax) throws Exception {
    Path dir = Files.createTempDirectory("casq-growth");
    QueueOptions options = QueueOptions.builder().headMaxReadyJobs(headMax).build();
    LongAdder pushed = new LongAdder();
    AtomicBoolean running = new AtomicBoolean(true);
    try (JobQueue q = JobQueue.open(dir.toUri() + "q.json", options)) {
      Thread[] producers = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int id = t;
        producers[t] =
            new Thread(
                () -> {
                  long n = 0;
                  while (running.get()) {
                    q.push(
                            PushRequest.of(
                                "{\"to\":\"user" + id + "@example.com\",\"n\":" + n++ + "}"))
                        .join();
                    pushed.increment();
                  }
                });
        producers[t].start();
      }
      long last = 0;
      long best = 0;
      long lastWindow = 0;
      for (int s = 10; s <= seconds; s += 10) {
        Thread.sleep(10_000); // the benchmark's measuring window
        long now = pushed.sum();
        long perSecond = (now - last) / 10;
        best = Math.max(best, perSecond);
        lastWindow = perSecond;
        last = now;
        System.out.printf(
            "headMax=%d t=%3ds pushes/s=%7d depth=%9d object=%9d bytes" + " segments=%d%n",
            headMax,
            s,
            perSecond,
            now,
            q.engine().metrics().lastObjectBytes(),
            q.engine().metrics().segmentsWritten());
      }
      running.set(false);
      for (Thread p : producers) {
        p.join();
      }
      System.out.printf(
          "headMax=%d best 10 s=%d/s last 10 s=%d/s (%.0f%% of best)%n",
          headMax, best, lastWindow, 100.0 * lastWindow / Math.max(1, best));
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
