package dev.casq.storage.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link ChildMain} with this JVM's java binary and class path, talking over
 * stdin/stdout lines. Its stderr goes to a file in the test directory.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final Path errors;

  private ChildJvm(Process process, Path errors) {
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.errors = errors;
  }

  static ChildJvm start(Path errors, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Xshare:auto");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ChildMain.class.getName());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(errors.toFile()))
            .start();
    return new ChildJvm(p, errors);
  }

  /** The next line the child printed, or null at its end. */
  String readLine() throws IOException {
    return out.readLine();
  }

  /** Reads lines until one equals {@code expected}; fails if the child ends first. */
  void expect(String expected) throws IOException {
    for (String line = readLine(); ; line = readLine()) {
      if (line == null) {
        throw new AssertionError(
            "child ended before printing '" + expected + "'; its stderr is in " + errors);
      }
      if (line.equals(expected)) {
        return;
      }
    }
  }

  void send(String line) throws IOException {
    in.write(line + "\n");
    in.flush();
  }

  /** Waits for the child to end and returns its exit code. */
  int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child did not end in " + seconds + " s; stderr in " + errors);
    }
    return process.exitValue();
  }

  /**
   * Kills the child with SIGKILL and waits until it is gone. Unlike {@link
   * Process#destroyForcibly()} this keeps its output readable, so the lines it printed before dying
   * can still be read.
   */
  void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    out.close();
  }
}
