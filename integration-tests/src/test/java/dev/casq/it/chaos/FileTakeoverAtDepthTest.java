package dev.casq.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.client.CasqClient;
import dev.casq.client.ClientQueue;
import dev.casq.client.TakeoverPolicy;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process takes over (after SIGKILL of the one before) a file:// queue whose backlog lives
 * in segment objects, and serves pushes (a key waiting in a segment is answered as a duplicate),
 * claims in push order and the whole backlog, nothing lost. The depth is {@code -Dcasq.it.depth}
 * (default 20,000 jobs, 500 of them with keys); the time from the new broker's start to its first
 * acknowledged push is printed, not asserted (figures at 1M pending are in docs/benchmarks.md).
 */
class FileTakeoverAtDepthTest {
  private static final String CLI_MAIN = "dev.casq.cli.Main";
  private static final int HEAD_MAX = 500;
  private static final Duration START = Duration.ofSeconds(90);

  @TempDir Path dir;
  private final Path logDir = Path.of("target", "chaos-logs", "takeover-at-depth");
  private final List<ChildJvm> children = new ArrayList<>();

  @AfterEach
  void stopChildren() {
    children.forEach(ChildJvm::close);
  }

  @Test
  void aNewBrokerServesADeepSegmentedQueueAndLosesNothing() throws Exception {
    int depth = Integer.getInteger("casq.it.depth", 20_000);
    int keyed = 500;
    String uri = dir.resolve("deep.json").toUri().toString();
    fill(uri, depth, keyed);
    QueueState filled = StateCodec.decode(Files.readAllBytes(dir.resolve("deep.json")));
    assertThat(filled.segments()).as("the backlog is in segments").hasSizeGreaterThan(2);
    assertThat(filled.headReadyCount()).isLessThanOrEqualTo(HEAD_MAX);

    ChildJvm first = broker("broker-1", uri);
    address(first);
    first.kill();

    long started = System.nanoTime();
    ChildJvm second = broker("broker-2", uri);
    String address = address(second);
    try (CasqClient c =
        CasqClient.builder()
            .brokerUrl(address)
            .queueName("deep")
            .takeover(TakeoverPolicy.NONE)
            .build()) {
      ClientQueue<com.fasterxml.jackson.databind.JsonNode> q =
          c.queue(com.fasterxml.jackson.databind.JsonNode.class);
      PushResult pushed = q.pushJson("{\"after\":\"takeover\"}", PushOptions.none());
      long firstPushMillis = (System.nanoTime() - started) / 1_000_000;
      System.out.printf(
          "takeover at depth %,d: first push acknowledged %,d ms after the new"
              + " broker process started%n",
          depth, firstPushMillis);
      assertThat(pushed.jobId()).isEqualTo("j" + (depth + 1));
      assertThat(pushed.duplicate()).isFalse();

      // a key that waits deep in a segment is known to the new broker
      PushResult again =
          q.pushJson("{\"n\":\"again\"}", PushOptions.none().key("key-" + (keyed - 1)));
      assertThat(again.duplicate()).isTrue();
      assertThat(again.jobId()).isEqualTo("j" + keyed);
      assertThat(q.stats().pending()).isEqualTo(depth + 1);

      // claims come in push order, through the segments, and every job comes back once
      List<String> ids = new ArrayList<>();
      while (true) {
        List<LeasedJob<com.fasterxml.jackson.databind.JsonNode>> jobs =
            q.claim(new ClaimRequest("drain", Duration.ofMinutes(10), 1000, null), Duration.ZERO);
        if (jobs.isEmpty()) {
          break;
        }
        jobs.forEach(j -> ids.add(j.id()));
      }
      List<String> expected = new ArrayList<>();
      for (int i = 1; i <= depth + 1; i++) {
        expected.add("j" + i);
      }
      assertThat(ids).containsExactlyElementsOf(expected);
    }
  }

  /** {@code depth} jobs (the first {@code keyed} with keys) pushed by an embedded queue. */
  private static void fill(String uri, int depth, int keyed) throws Exception {
    QueueOptions options =
        QueueOptions.builder()
            .headMaxReadyJobs(HEAD_MAX)
            .storeProperty("file.fsync", "false")
            .build();
    try (JobQueue q = JobQueue.open(uri, options)) {
      for (int from = 0; from < depth; from += 2_000) {
        List<CompletableFuture<PushResult>> fs = new ArrayList<>();
        for (int i = from; i < Math.min(depth, from + 2_000); i++) {
          PushRequest r = PushRequest.of("{\"n\":" + i + "}");
          fs.add(q.push(i < keyed ? r.withIdempotencyKey("key-" + i) : r));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get();
      }
    }
  }

  private ChildJvm broker(String name, String uri) {
    ChildJvm c =
        ChildJvm.start(
            name,
            logDir,
            Map.of("JAVA_TOOL_OPTIONS", "-Dcasq.headMaxReadyJobs=" + HEAD_MAX),
            CLI_MAIN,
            List.of(
                "broker",
                "--store",
                uri,
                "--listen",
                "127.0.0.1:0",
                "--heartbeat",
                "250ms",
                "--stale-after",
                "1500ms",
                "--standby",
                "--store-property",
                "file.fsync=false"));
    children.add(c);
    return c;
  }

  private static String address(ChildJvm broker) {
    String line =
        broker
            .awaitLine(s -> s.startsWith("casq broker "), START, "'casq broker ... at ADDRESS'")
            .text();
    return line.substring(line.lastIndexOf(' ') + 1);
  }
}
