package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several JVM processes embedding the core on one file:// object: slower, never wrong. */
class MultiProcessEmbeddedTest {
  @TempDir Path dir;

  @Test
  void processesSharingOneFileNeitherLoseNorDoubleJobs() throws Exception {
    String uri = dir.toUri() + "shared.json";
    int processes = 3;
    int perProcess = 200;

    List<Process> pushers = new ArrayList<>();
    for (int p = 0; p < processes; p++) {
      pushers.add(start("push", uri, "p" + p, Integer.toString(perProcess)));
    }
    Set<String> acknowledged = new HashSet<>();
    for (Process p : pushers) {
      for (String line : output(p)) {
        if (line.startsWith("pushed ")) {
          acknowledged.add(line.substring(7));
        }
      }
    }
    assertThat(acknowledged).hasSize(processes * perProcess);
    QueueState afterPush =
        StateCodec.decode(java.nio.file.Files.readAllBytes(dir.resolve("shared.json")));
    Map<String, Integer> copies = new HashMap<>();
    try (dev.casq.storage.StoreLocation loc = dev.casq.storage.Stores.open(uri)) {
      Segments.liveJobs(loc.store(), afterPush) // the head's and those in segments
          .forEach(j -> copies.merge(j.payloadJson(), 1, Integer::sum));
    }
    assertThat(copies.keySet()).isEqualTo(acknowledged);
    assertThat(copies.values()).allMatch(n -> n == 1);

    List<Process> workers = new ArrayList<>();
    for (int p = 0; p < processes; p++) {
      workers.add(start("work", uri, "w" + p));
    }
    List<String> completed = new ArrayList<>();
    for (Process p : workers) {
      for (String line : output(p)) {
        if (line.startsWith("completed ")) {
          completed.add(line.substring(10));
        }
      }
    }
    // every job completed exactly once, by whichever process held its lease
    assertThat(completed).doesNotHaveDuplicates().hasSize(processes * perProcess);
    QueueState end =
        StateCodec.decode(java.nio.file.Files.readAllBytes(dir.resolve("shared.json")));
    assertThat(end.liveJobs()).isEmpty();
    assertThat(end.counters().completed()).isEqualTo(processes * perProcess);
  }

  private static Process start(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String headMax = System.getProperty("casq.headMaxReadyJobs");
    if (headMax != null) {
      cmd.add("-Dcasq.headMaxReadyJobs=" + headMax); // the children run with the suite's bound
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(EmbeddedChildProcess.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).start();
  }

  /** The child's standard output lines, once it exited 0; its stderr is in the failure message. */
  private static List<String> output(Process p) throws Exception {
    CompletableFuture<String> stderr =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                return "(stderr unreadable: " + e + ")";
              }
            });
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    }
    boolean exited = p.waitFor(3, TimeUnit.MINUTES);
    if (!exited) {
      p.destroyForcibly();
    }
    String err = stderr.get(10, TimeUnit.SECONDS);
    assertThat(exited).as("child exited within 3 minutes; its stderr:%n%s", err).isTrue();
    assertThat(p.exitValue())
        .as(
            "child exit status; its last stdout line: %s; its stderr:%n%s",
            lines.isEmpty() ? "(none)" : lines.get(lines.size() - 1), err)
        .isZero();
    return lines;
  }
}
