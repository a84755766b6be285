package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.PushRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code casq inspect --segments} on a queue whose backlog lives in segment objects. */
class InspectSegmentsTest {
  @TempDir Path dir;

  private String fill() throws Exception {
    String store = dir.resolve("deep.json").toUri().toString();
    QueueOptions options =
        QueueOptions.builder()
            .headMaxReadyJobs(100)
            .headMaxBytes(0)
            .storeProperty("file.fsync", "false")
            .build();
    try (JobQueue q = JobQueue.open(store, options)) {
      List<CompletableFuture<?>> pushes = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        PushRequest r = PushRequest.of("{\"n\":" + i + "}").withPriority(i % 3);
        pushes.add(q.push(i < 500 ? r.withIdempotencyKey("k" + i) : r));
        if (i % 50 == 49) { // many commits: each spills what is beyond the head's bound
          CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).get();
        }
      }
      q.claim(new ClaimRequest("w", Duration.ofMinutes(1), 150, null)).get();
    }
    return store;
  }

  @Test
  void summarisesTheHeadAndEachSegment() throws Exception {
    String store = fill();
    Cli.Result r = Cli.run("inspect", "--store", store, "--segments");
    assertThat(r.exit()).as(r.err()).isZero();
    String out = r.out();
    assertThat(out)
        .containsPattern("head +file:.*deep\\.json +casq-queue/2 +revision \\d+")
        .contains("150 leased")
        .contains("segment", "count", "cursor", "remaining", "priority", "seq", "keys", "bytes");
    List<String> rows = out.lines().filter(l -> l.startsWith("deep.json.seg/")).toList();
    assertThat(rows).isNotEmpty();
    long segmentFiles;
    try (Stream<Path> files = Files.list(dir.resolve("deep.json.seg"))) {
      segmentFiles = files.count();
    }
    assertThat(rows).hasSize((int) segmentFiles);
    // every row: key, count, cursor, remaining, priority range, seq range, keys, bytes
    assertThat(rows)
        .allMatch(
            l ->
                l.matches(
                    "deep\\.json\\.seg/\\S+\\.json +[\\d,]+ +[\\d,]+ +[\\d,]+ +(\\d+(\\.\\.\\d+)?|-) +\\d+\\.\\.\\d+"
                        + " +[\\d,]+ +\\d+(\\.\\d)? (B|KiB|MiB)"),
            "a summary row");
    assertThat(out).containsPattern("segments +[\\d,]+ objects, [\\d,]+ jobs not yet moved back");

    Cli.Result json = Cli.run("inspect", "--store", store);
    assertThat(json.exit()).isZero();
    assertThat(json.out()).contains("\"segments\"");
    assertThat(json.err()).contains("casq inspect --segments summarises them");
  }

  @Test
  void aMissingSegmentIsShownAndNothingChanges() throws Exception {
    String store = fill();
    Path seg;
    try (Stream<Path> files = Files.list(dir.resolve("deep.json.seg"))) {
      seg = files.findFirst().orElseThrow();
    }
    Files.delete(seg);
    byte[] before = Files.readAllBytes(dir.resolve("deep.json"));
    Cli.Result r = Cli.run("inspect", "--store", store, "--segments");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("MISSING");
    assertThat(Files.readAllBytes(dir.resolve("deep.json"))).isEqualTo(before);
  }

  @Test
  void aQueueWithoutSegments() throws Exception {
    String store = dir.resolve("flat.json").toUri().toString();
    try (JobQueue q = JobQueue.open(store, QueueOptions.builder().headMaxReadyJobs(0).build())) {
      q.push(PushRequest.of("1")).get();
    }
    Cli.Result r = Cli.run("inspect", "--store", store, "--segments");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("casq-queue/1").contains("1 ready").contains("segments  none");
  }

  @Test
  void summarisesTheLeasedJobsObjects() throws Exception {
    String store = dir.resolve("leased.json").toUri().toString();
    QueueOptions options =
        QueueOptions.builder().headMaxBytes(4096).storeProperty("file.fsync", "false").build();
    try (JobQueue q = JobQueue.open(store, options)) {
      List<CompletableFuture<?>> pushes = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        pushes.add(q.push(PushRequest.of("{\"n\":" + i + ",\"pad\":\"" + "x".repeat(200) + "\"}")));
      }
      CompletableFuture.allOf(pushes.toArray(CompletableFuture[]::new)).get();
      q.claim(new ClaimRequest("w", Duration.ofMinutes(1), 250, null)).get();
      q.push(PushRequest.of("1")).get();
    }
    Cli.Result r = Cli.run("inspect", "--store", store, "--segments");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("head +file:.*leased\\.json +casq-queue/3 ")
        .containsPattern("leased\\.json\\.leased/\\S+\\.json +250 +250 +0 +\\d+(\\.\\d)? (B|KiB)")
        .contains("leased    1 leased-jobs objects holding 250 leased jobs outside the head");
    Cli.Result json = Cli.run("inspect", "--store", store);
    assertThat(json.exit()).isZero();
    assertThat(json.out()).contains("\"leasedObjects\"");
    assertThat(json.err()).contains("leased-jobs objects holding 250 leased jobs");
  }
}
