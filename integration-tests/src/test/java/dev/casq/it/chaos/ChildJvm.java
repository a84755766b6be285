package dev.casq.it.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A separate JVM started on the test class path, whose standard output is read line by line (each
 * line stamped with the time it arrived) and copied to {@code <name>.out.log}; its standard error
 * goes to {@code <name>.err.log}. Killing it sends SIGKILL; {@link #freeze()} and {@link #thaw()}
 * send SIGSTOP and SIGCONT.
 */
final class ChildJvm implements AutoCloseable {
  /** One line of the child's standard output and when the test read it. */
  record Line(String text, long readAtMillis) {
    String[] fields() {
      return text.split(" ");
    }
  }

  private final String name;
  private final Process process;
  private final List<Line> lines = new ArrayList<>();
  private final Thread reader;
  private final PrintWriter stdin;
  private boolean eof;

  private ChildJvm(String name, Process process, Path outLog) {
    this.name = name;
    this.process = process;
    this.stdin =
        new PrintWriter(
            new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
            true);
    this.reader = new Thread(() -> read(outLog), "chaos-read-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code mainClass} with {@code args} in a new JVM.
   *
   * @param logDir where the child's output logs go
   * @param env extra environment variables
   */
  static ChildJvm start(
      String name, Path logDir, Map<String, String> env, Class<?> mainClass, List<String> args) {
    return start(name, logDir, env, mainClass.getName(), args);
  }

  /** System properties of the test JVM passed on to every child JVM when they are set. */
  static final List<String> FORWARDED_PROPERTIES =
      List.of("casq.headMaxReadyJobs", "casq.headMaxBytes");

  static ChildJvm start(
      String name, Path logDir, Map<String, String> env, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // small heaps and C1 only: six JVMs share two cores
    cmd.add("-Xmx384m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
    cmd.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    cmd.add("-Dorg.slf4j.simpleLogger.log.org.eclipse.jetty=warn");
    // settings given to the test JVM that the processes it starts must share (segments on or off)
    for (String forwarded : FORWARDED_PROPERTIES) {
      String v = System.getProperty(forwarded);
      if (v != null) {
        cmd.add("-D" + forwarded + "=" + v);
      }
    }
    // e.g. -Dcasq.it.child.jvmArgs=-XX:StartFlightRecording=filename=target/%p.jfr to profile
    String extra = System.getProperty("casq.it.child.jvmArgs", "").strip();
    if (!extra.isEmpty()) {
      cmd.addAll(List.of(extra.split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(ClassPathSnapshot.classPath());
    cmd.add(mainClass);
    cmd.addAll(args);
    try {
      Files.createDirectories(logDir);
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().putAll(env);
      pb.redirectError(
          ProcessBuilder.Redirect.appendTo(logDir.resolve(name + ".err.log").toFile()));
      return new ChildJvm(name, pb.start(), logDir.resolve(name + ".out.log"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start child JVM " + name, e);
    }
  }

  private void read(Path outLog) {
    try (BufferedReader r =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter log =
            new PrintWriter(Files.newBufferedWriter(outLog, StandardCharsets.UTF_8))) {
      for (String s; (s = r.readLine()) != null; ) {
        long now = System.currentTimeMillis();
        log.println(now + " " + s);
        synchronized (this) {
          lines.add(new Line(s, now));
          notifyAll();
        }
      }
    } catch (IOException e) {
      // the process died; what was read stays readable
    } finally {
      synchronized (this) {
        eof = true;
        notifyAll();
      }
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Process process() {
    return process;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** A copy of every line read so far. */
  synchronized List<Line> lines() {
    return List.copyOf(lines);
  }

  /** Lines read so far that start with {@code prefix + " "}. */
  synchronized List<Line> lines(String prefix) {
    List<Line> out = new ArrayList<>();
    for (Line l : lines) {
      if (l.text().startsWith(prefix + " ") || l.text().equals(prefix)) {
        out.add(l);
      }
    }
    return out;
  }

  /** How many lines start with {@code prefix + " "}. */
  synchronized int count(String prefix) {
    int n = 0;
    for (Line l : lines) {
      if (l.text().startsWith(prefix + " ")) {
        n++;
      }
    }
    return n;
  }

  /**
   * Waits for the first line (from the beginning of the output) that matches.
   *
   * @throws AssertionError when none arrives in time or the output ends first
   */
  Line awaitLine(Predicate<String> matches, Duration timeout, String what) {
    return awaitLineOrEnd(matches, timeout)
        .orElseThrow(
            () ->
                new AssertionError(
                    name
                        + ": no line "
                        + what
                        + " within "
                        + timeout
                        + (eof ? " (output ended)" : "")
                        + "; last lines: "
                        + tail(10)));
  }

  /** Waits for a line that matches; empty when the output ends (process exit) first. */
  Optional<Line> awaitLineOrEnd(Predicate<String> matches, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int from = 0;
    synchronized (this) {
      while (true) {
        for (; from < lines.size(); from++) {
          if (matches.test(lines.get(from).text())) {
            return Optional.of(lines.get(from));
          }
        }
        if (eof) {
          return Optional.empty();
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + name, e);
        }
      }
    }
  }

  /** Waits until at least {@code n} lines start with {@code prefix + " "}. */
  void awaitCount(String prefix, int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (countLocked(prefix) < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || eof) {
          throw new AssertionError(
              name
                  + ": "
                  + countLocked(prefix)
                  + " '"
                  + prefix
                  + "' lines, "
                  + "wanted "
                  + n
                  + (eof ? " (output ended)" : " within " + timeout)
                  + "; last lines: "
                  + tail(10));
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + name, e);
        }
      }
    }
  }

  private int countLocked(String prefix) {
    int n = 0;
    for (Line l : lines) {
      if (l.text().startsWith(prefix + " ")) {
        n++;
      }
    }
    return n;
  }

  private synchronized String tail(int n) {
    return lines.subList(Math.max(0, lines.size() - n), lines.size()).stream()
        .map(Line::text)
        .toList()
        .toString();
  }

  /** Writes one line to the child's standard input. */
  void send(String line) {
    stdin.println(line);
  }

  /** Closes the child's standard input (the chaos mains stop on end of input). */
  void closeStdin() {
    stdin.close();
  }

  /** SIGKILL; returns once the process is gone (asserted through its ProcessHandle). */
  void kill() {
    ProcessHandle handle = process.toHandle();
    process.destroyForcibly();
    try {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(name + " died of SIGKILL").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    assertThat(handle.isAlive()).as(name + " is gone").isFalse();
    assertThat(ProcessHandle.of(handle.pid()).map(ProcessHandle::isAlive).orElse(false))
        .as("no live process with pid %d", handle.pid())
        .isFalse();
    // 128 + 9: killed by SIGKILL, not a clean exit
    assertThat(process.exitValue()).as(name + " exit status").isEqualTo(137);
  }

  /**
   * SIGTERM (through {@link ProcessHandle#destroy()}): asks the process to stop gracefully. Not
   * {@link Process#destroy()}, which also closes our ends of its pipes, so what it prints while
   * stopping would be lost.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /** SIGSTOP: the process stays alive but runs no more until {@link #thaw()}. */
  void freeze() {
    signal("STOP");
  }

  /** SIGCONT. */
  void thaw() {
    signal("CONT");
  }

  /**
   * Whether the process holds a lock (POSIX or flock) on a file of {@code dir} now, as /proc/locks
   * lists them (by inode; processes waiting for a lock, marked {@code ->}, do not count).
   */
  boolean holdsLocksOn(Path dir) {
    try {
      Set<String> inodes = new HashSet<>();
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          try {
            inodes.add(Files.getAttribute(f, "unix:ino").toString());
          } catch (NoSuchFileException gone) {
            // a temp file renamed meanwhile
          }
        }
      }
      String pid = Long.toString(pid());
      for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
        // "1: POSIX  ADVISORY  WRITE 32216 fe:00:2146458 0 EOF"
        String[] f = line.trim().split("\\s+");
        if (f.length > 5
            && !f[1].equals("->")
            && f[4].equals(pid)
            && inodes.contains(f[5].substring(f[5].lastIndexOf(':') + 1))) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the locks of " + dir, e);
    }
  }

  /** The state letter of the process in /proc (R, S, T for stopped...), or "?" when unknown. */
  String procState() {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
      int close = stat.lastIndexOf(')');
      return stat.substring(close + 2, close + 3);
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private void signal(String sig) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + sig, Long.toString(pid()))
              .redirectErrorStream(true)
              .start();
      String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(kill.exitValue()).as("kill -" + sig + " " + pid() + ": " + out).isZero();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for the process to exit by itself and returns its exit code. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            name + " did not exit within " + timeout + "; last lines: " + tail(10));
      }
      reader.join(timeout.toMillis());
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Kills the process if it still runs (SIGCONT first, so a frozen one dies too). */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        new ProcessBuilder("kill", "-CONT", Long.toString(pid()))
            .start()
            .waitFor(5, TimeUnit.SECONDS);
      } catch (IOException e) {
        // it may just have exited
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      OutputStream in = process.getOutputStream();
      in.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public String toString() {
    return name + "(pid " + pid() + ")";
  }
}
