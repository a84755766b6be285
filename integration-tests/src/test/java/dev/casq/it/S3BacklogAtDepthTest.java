package dev.casq.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.ClaimRequest;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.broker.CasqBroker;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.JsonPush;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.EngineMetrics;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobQueue;
import dev.casq.election.BrokerTenure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A backlog in segments on s3:// (radosgw): a broker (ready jobs beyond 2,000 go into segments) is
 * loaded through the batch endpoint, 1000 jobs per request, as {@code casq push --file} does; the
 * commit latency under the same push load is measured at 1,000 pending and at the full depth; then
 * everything is claimed and completed (through the broker's engine), and every job must come back
 * exactly once.
 *
 * <p>Depth {@code -Dcasq.it.s3.depth} (default 10,000, what CI runs); figures at 1M pending are in
 * docs/benchmarks.md. Prints its figures; asserts only what must hold.
 */
@DisplayName("a deep segmented backlog on s3:// (radosgw), loaded and drained")
class S3BacklogAtDepthTest {
  private static final String BUCKET = "casq-depth";

  @Test
  void loadsMeasuresAndDrainsEveryJobOnce() throws Exception {
    Map<String, String> props = new HashMap<>(Radosgw.storeProperties());
    Radosgw.ensureBucket(BUCKET);
    int depth = Integer.getInteger("casq.it.s3.depth", 10_000);
    Duration measure = Duration.ofSeconds(Long.getLong("casq.it.s3.measureSeconds", 3));
    String uri = "s3://" + BUCKET + "/" + UUID.randomUUID() + "/deep.json";
    try (CasqBroker broker =
            CasqBroker.builder()
                .queue("deep", uri)
                .storeProperties(props)
                .queueOptions(QueueOptions.builder().headMaxReadyJobs(2_000).build())
                .listen("127.0.0.1", 0)
                .build()
                .start();
        CasqClient client =
            CasqClient.builder()
                .brokerUrl(broker.address())
                .queueName("deep")
                .takeover(TakeoverPolicy.NONE)
                .build()) {
      JobQueue engine = broker.tenure("deep").map(BrokerTenure::queue).orElseThrow();
      EngineMetrics metrics = engine.engine().metrics();
      ClientQueue<JsonNode> q = client.queue(JsonNode.class);

      load(q, 0, 1_000);
      Window atThousand = pushWindow(q, metrics, measure);
      long t0 = System.nanoTime();
      load(q, 1_000, depth);
      double loadSeconds = (System.nanoTime() - t0) / 1e9;
      Window atDepth = pushWindow(q, metrics, measure);
      long measured = atThousand.pushes() + atDepth.pushes();
      System.out.printf(
          "s3 depth %,d: loaded %,d jobs in %.1f s (%,.0f jobs/s)%n",
          depth, depth - 1_000, loadSeconds, (depth - 1_000) / loadSeconds);
      System.out.printf(
          "s3 at 1,000 pending: %s%ns3 at %,d pending: %s%n", atThousand, depth, atDepth);

      assertThat(q.stats().pending()).isEqualTo(depth + measured);
      t0 = System.nanoTime();
      BitSet seen = drain(engine, depth);
      System.out.printf("s3 depth %,d: drained in %.1f s%n", depth, (System.nanoTime() - t0) / 1e9);
      assertThat(seen.cardinality()).as("every loaded job came back once").isEqualTo(depth);
      assertThat(q.stats().pending()).isZero();
      assertThat(q.stats().counters().completed()).isEqualTo(depth + measured);
    }
  }

  /** Pushes jobs {@code {"n": from..to-1}} without keys, 1000 per request, 4 requests at once. */
  private static void load(ClientQueue<JsonNode> q, int from, int to) throws Exception {
    List<CompletableFuture<List<PushResult>>> inFlight = new ArrayList<>();
    for (int start = from; start < to; start += 1_000) {
      List<JsonPush> batch = new ArrayList<>(1_000);
      for (int n = start; n < Math.min(to, start + 1_000); n++) {
        batch.add(new JsonPush("{\"n\":" + n + "}", PushOptions.none()));
      }
      inFlight.add(q.pushAllJsonAsync(batch));
      if (inFlight.size() == 4) {
        inFlight.remove(0).get();
      }
    }
    for (CompletableFuture<List<PushResult>> f : inFlight) {
      f.get();
    }
  }

  /** What the engine's writes of the queue object took during a window of pushes. */
  record Window(
      long pushes, long commits, double seconds, double writeMillis, long bytesPerCommit) {
    @Override
    public String toString() {
      return String.format(
          "%,d pushes in %.1f s (%,.0f/s), %,d commits (%,.0f/s), write %.1f ms"
              + " per commit, %,d bytes per commit",
          pushes,
          seconds,
          pushes / seconds,
          commits,
          commits / seconds,
          writeMillis,
          bytesPerCommit);
    }
  }

  /** 16 chains of blocking pushes (a key each) for {@code d}. */
  private static Window pushWindow(ClientQueue<JsonNode> q, EngineMetrics m, Duration d)
      throws InterruptedException {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong pushes = new AtomicLong();
    CountDownLatch done = new CountDownLatch(16);
    long c0 = m.commits();
    long w0 = m.writeNanos();
    long b0 = m.bytesWritten();
    long t0 = System.nanoTime();
    for (int i = 0; i < 16; i++) {
      chain(q, stop, pushes, done);
    }
    new CountDownLatch(1).await(d.toMillis(), TimeUnit.MILLISECONDS); // the measured window
    stop.set(true);
    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    double secs = (System.nanoTime() - t0) / 1e9;
    long commits = Math.max(1, m.commits() - c0);
    return new Window(
        pushes.get(),
        commits,
        secs,
        (m.writeNanos() - w0) / 1e6 / commits,
        (m.bytesWritten() - b0) / commits);
  }

  private static void chain(
      ClientQueue<JsonNode> q, AtomicBoolean stop, AtomicLong pushes, CountDownLatch done) {
    if (stop.get()) {
      done.countDown();
      return;
    }
    q.pushJsonAsync("{\"m\":1}", PushOptions.none())
        .whenComplete(
            (r, e) -> {
              if (e == null) {
                pushes.incrementAndGet();
              }
              chain(q, stop, pushes, done);
            });
  }

  /**
   * Claims and completes everything through the broker's own engine (no HTTP: the storage path is
   * what this test is about), 1000 at a time in 4 loops at once; the loaded jobs' numbers, each
   * once.
   */
  private static BitSet drain(JobQueue q, int depth) throws Exception {
    BitSet seen = new BitSet(depth);
    List<Integer> twice = new ArrayList<>();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < 4; i++) {
      loops.add(
          CompletableFuture.runAsync(
              () -> {
                while (true) {
                  List<Job> jobs =
                      q.claim(new ClaimRequest("drain", Duration.ofMinutes(30), 1000, null)).join();
                  if (jobs.isEmpty()) {
                    return;
                  }
                  List<CompletableFuture<Job>> completes = new ArrayList<>(jobs.size());
                  for (Job j : jobs) {
                    String payload = j.payloadJson();
                    if (payload.startsWith("{\"n\":")) {
                      int n = Integer.parseInt(payload.substring(5, payload.length() - 1));
                      synchronized (seen) {
                        if (seen.get(n)) {
                          twice.add(n);
                        }
                        seen.set(n);
                      }
                    }
                    completes.add(q.complete(j.id(), j.lease().token(), null));
                  }
                  CompletableFuture.allOf(completes.toArray(CompletableFuture[]::new)).join();
                }
              },
              pool));
    }
    try {
      CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
    } finally {
      pool.shutdownNow();
    }
    assertThat(twice).as("jobs claimed twice").isEmpty();
    return seen;
  }
}
