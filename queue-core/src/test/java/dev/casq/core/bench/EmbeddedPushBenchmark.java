package dev.casq.core.bench;

import dev.casq.api.ClaimRequest;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Embedded pushes per second with 64 producer threads, at a steady number of pending jobs.
 *
 * <p>A drainer claims and completes jobs whenever more than {@code pending} wait, so the queue
 * object stays at its size for the whole run (completions go to archive objects as in production).
 * {@code push} is one blocking push per call; {@code pushWindow32} sends 32 pushes and waits for
 * all of them (a producer that pipelines).
 *
 * <p>Run: {@code scripts/bench.sh EmbeddedPushBenchmark} (see docs/benchmarks.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx4g", "-XX:+UseParallelGC"})
@Threads(64)
public class EmbeddedPushBenchmark {

  /** file (fsync on), file-nosync, mem. */
  @Param({"file"})
  public String store;

  @Param({"1000", "10000", "100000"})
  public int pending;

  /** The head's bound on ready jobs (QueueOptions.headMaxReadyJobs): 0 keeps all in the object. */
  @Param({"0"})
  public int headMax;

  private long commitsBefore;
  private long bytesBefore;
  private long segmentBytesBefore;

  private Path dir;
  private JobQueue queue;
  private Thread drainer;
  private final AtomicBoolean draining = new AtomicBoolean();
  private Thread sampler;
  private volatile HeadSample largestHead;

  @Setup(Level.Trial)
  public void open() throws Exception {
    dir = Files.createTempDirectory("casq-bench");
    QueueOptions.Builder options = QueueOptions.builder().headMaxReadyJobs(headMax);
    String uri;
    switch (store) {
      case "mem" -> uri = "mem://bench-" + System.nanoTime() + "/q.json";
      case "file-nosync" -> {
        uri = dir.toUri() + "q.json";
        options.storeProperty("file.fsync", "false");
      }
      default -> uri = dir.toUri() + "q.json";
    }
    queue = JobQueue.open(uri, options.build());
    for (int from = 0; from < pending; from += 100_000) {
      List<CompletableFuture<?>> fill = new ArrayList<>();
      for (int i = from; i < Math.min(pending, from + 100_000); i++) {
        fill.add(queue.push(PushRequest.of(payload(i))));
      }
      CompletableFuture.allOf(fill.toArray(CompletableFuture[]::new)).get();
    }
    commitsBefore = queue.engine().metrics().commits();
    bytesBefore = queue.engine().metrics().bytesWritten();
    segmentBytesBefore = queue.engine().metrics().segmentBytesWritten();
    draining.set(true);
    drainer = new Thread(this::drain, "bench-drainer");
    drainer.setDaemon(true);
    drainer.start();
    if (!store.equals("mem")) {
      sampler = new Thread(this::sampleHeads, "bench-head-sampler");
      sampler.setDaemon(true);
      sampler.start();
    }
  }

  /** Reads the queue object every 100 ms and keeps what filled the largest one seen. */
  private void sampleHeads() {
    Path object = dir.resolve("q.json");
    while (draining.get()) {
      try {
        byte[] bytes = Files.readAllBytes(object);
        HeadSample largest = largestHead;
        if (largest == null || bytes.length > largest.bytes()) {
          largestHead = HeadSample.of(bytes);
        }
        Thread.sleep(100); // a sampling period, not synchronisation
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // replaced between the size check and the read, or mid-rename: take the next one
      }
    }
  }

  /** What a queue object holds, in bytes by kind of line (one job or segment per line). */
  record HeadSample(
      int bytes,
      int ready,
      int scheduled,
      int leased,
      int finished,
      int segments,
      long queuedBytes,
      long leasedBytes,
      long finishedBytes,
      long segmentBytes,
      int leasedObjects) {
    static HeadSample of(byte[] bytes) {
      var s = dev.casq.core.internal.StateCodec.decode(bytes);
      long queued = 0;
      long leased = 0;
      long finished = 0;
      long segs = 0;
      for (String line : new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
        int n = line.length() + 1;
        if (line.contains("\"status\":\"queued\"")) {
          queued += n;
        } else if (line.contains("\"status\":\"leased\"")) {
          leased += n;
        } else if (line.contains("\"status\":\"")) {
          finished += n;
        } else if (line.contains("\"cursor\":")) {
          segs += n;
        }
      }
      return new HeadSample(
          bytes.length,
          s.headReadyCount(),
          s.scheduledCount(),
          s.leasedCount(),
          s.finishedJobs().size(),
          s.segments().size(),
          queued,
          leased,
          finished,
          segs,
          s.leasedObjects().size());
    }

    @Override
    public String toString() {
      return String.format(
          "largest-object=%d bytes: queued %d jobs (%d ready, %d scheduled) %d B,"
              + " leased %d jobs (%d B in the head, the rest in %d leased-jobs objects), finished %d"
              + " jobs %d B, %d segment refs %d B",
          bytes,
          ready + scheduled,
          ready,
          scheduled,
          queuedBytes,
          leased,
          leasedBytes,
          leasedObjects,
          finished,
          finishedBytes,
          segments,
          segmentBytes);
    }
  }

  private void drain() {
    while (draining.get()) {
      try {
        int excess = queue.stats().get().pending() - pending;
        if (excess <= 0) {
          Thread.onSpinWait();
          Thread.sleep(1); // polling a benchmark's background load, not synchronisation
          continue;
        }
        // claim the whole excess at once (in one commit), then complete it (in the next)
        List<CompletableFuture<List<Job>>> claims = new ArrayList<>();
        for (int left = excess; left > 0; left -= 1000) {
          claims.add(
              queue.claim(
                  new ClaimRequest("drainer", Duration.ofMinutes(10), Math.min(1000, left), null)));
        }
        List<CompletableFuture<?>> done = new ArrayList<>(excess);
        for (CompletableFuture<List<Job>> claim : claims) {
          for (Job j : claim.get()) {
            done.add(queue.complete(j.id(), j.lease().token(), null));
          }
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        if (draining.get()) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    draining.set(false);
    drainer.interrupt();
    drainer.join(10_000);
    if (sampler != null) {
      sampler.interrupt();
      sampler.join(10_000);
    }
    var m = queue.engine().metrics();
    long commits = m.commits() - commitsBefore;
    System.out.printf(
        "%n[%s pending=%d headMax=%d] commits=%d commands=%d avg-batch=%.1f"
            + " bytes/commit=%d (+segments %d) last-object=%d bytes segments-written=%d"
            + " conflicts=%d%n",
        store,
        pending,
        headMax,
        commits,
        m.commands(),
        m.commands() / Math.max(1.0, m.commits()),
        (m.bytesWritten() - bytesBefore) / Math.max(1, commits),
        (m.segmentBytesWritten() - segmentBytesBefore) / Math.max(1, commits),
        m.lastObjectBytes(),
        m.segmentsWritten(),
        m.conflicts());
    System.out.printf(
        "[%s pending=%d headMax=%d] %s heap-used=%d MB%n",
        store, pending, headMax, largestHead, usedHeapMb());
    queue.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public Object push() throws Exception {
    return queue.push(PushRequest.of("{\"to\":\"ada@example.com\",\"n\":1}")).get();
  }

  @Benchmark
  @OperationsPerInvocation(32)
  public Object pushWindow32() throws Exception {
    CompletableFuture<?>[] window = new CompletableFuture<?>[32];
    for (int i = 0; i < window.length; i++) {
      window[i] = queue.push(PushRequest.of("{\"to\":\"ada@example.com\",\"n\":" + i + "}"));
    }
    return CompletableFuture.allOf(window).get();
  }

  /**
   * One push, one claim and the completion of the claimed job: the depth stays where it is, so this
   * is claim+complete throughput at that depth (each with a push next to it).
   */
  @Benchmark
  public Object pushClaimComplete() throws Exception {
    queue.push(PushRequest.of("{\"to\":\"ada@example.com\",\"n\":2}")).get();
    List<Job> claimed =
        queue.claim(new ClaimRequest("bench", Duration.ofMinutes(10), 1, null)).get();
    if (claimed.isEmpty()) {
      return null;
    }
    Job j = claimed.get(0);
    return queue.complete(j.id(), j.lease().token(), null).get();
  }

  private static long usedHeapMb() {
    System.gc(); // a measurement of the live heap at the end of the trial
    Runtime r = Runtime.getRuntime();
    return (r.totalMemory() - r.freeMemory()) >> 20;
  }

  private static String payload(int i) {
    return "{\"to\":\"user" + i + "@example.com\",\"subject\":\"hello\",\"n\":" + i + "}";
  }
}
