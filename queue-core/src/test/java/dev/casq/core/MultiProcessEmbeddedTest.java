package dev.casq.core;

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
    afterPush.liveJobs().forEach(j -> copies.merge(j.payloadJson(), 1, Integer::sum));
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
    QueueState end = StateCodec.decode(java.nio.file.Files.readAllBytes(dir.resolve("shared.json")));
    assertThat(end.liveJobs()).isEmpty();
    assertThat(end.counters().completed()).isEqualTo(processes * perProcess);
  }

  private static Process start(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(EmbeddedChildProcess.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static List<String> output(Process p) throws Exception {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        lines.add(line);
      }
    }
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).isZero();
    return lines;
  }
}
