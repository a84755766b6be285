package dev.casq.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code casq broker} process of a bench scenario, started as a user starts one (its own JVM, the
 * given JVM options). Its address is known once it prints that it serves (a standby: once it has
 * taken over); its stderr goes to a log file.
 */
final class ScenarioBroker {
  private static final Pattern SERVING = Pattern.compile("serves .* at (http://\\S+)");

  private final Process process;
  private final CompletableFuture<String> serving = new CompletableFuture<>();
  private final Path log;
  private volatile long servingAtNanos;

  private ScenarioBroker(Process process, Path log) {
    this.process = process;
    this.log = log;
    Thread reader = new Thread(this::readOutput, "casq-bench-broker-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code casq broker} serving queue {@code name} at {@code uri}.
   *
   * @param java the java launcher and its class path, e.g. {@code [java, -cp, CP]}
   * @param extraArgs further {@code casq broker} options (--standby, --heartbeat...)
   */
  static ScenarioBroker start(
      List<String> java,
      List<String> jvmOptions,
      String name,
      String uri,
      Map<String, String> storeProperties,
      List<String> extraArgs,
      Path log)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(java.get(0));
    cmd.addAll(jvmOptions);
    cmd.addAll(java.subList(1, java.size()));
    cmd.addAll(
        List.of(
            Main.class.getName(),
            "broker",
            "--store",
            name + "=" + uri,
            "--listen",
            "127.0.0.1:0"));
    for (Map.Entry<String, String> p : storeProperties.entrySet()) {
      cmd.addAll(List.of("--store-property", p.getKey() + "=" + p.getValue()));
    }
    cmd.addAll(extraArgs);
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    return new ScenarioBroker(p, log);
  }

  private void readOutput() {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        Matcher m = SERVING.matcher(line);
        if (m.find() && !serving.isDone()) {
          servingAtNanos = System.nanoTime();
          serving.complete(m.group(1));
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
    serving.completeExceptionally(
        new CliException("the broker process ended without serving" + " (see " + log + ")"));
  }

  /** Waits until it serves; its address. */
  String awaitServing(Duration timeout) throws Exception {
    try {
      return serving.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new CliException(
          "the broker process did not serve within " + timeout + " (see " + log + ")");
    }
  }

  boolean isServing() {
    return serving.isDone() && !serving.isCompletedExceptionally();
  }

  /** {@link System#nanoTime} when it said it serves, 0 before. */
  long servingAtNanos() {
    return servingAtNanos;
  }

  long pid() {
    return process.pid();
  }

  /** Resident memory in bytes from /proc (Linux), -1 when unknown or gone. */
  long residentBytes() {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] f = line.trim().split("\\s+");
          return Long.parseLong(f[1]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** SIGKILL: gone at once, nothing flushed, nothing resigned. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: drains, resigns and exits (SIGKILL if it takes over a minute). */
  void stop() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
