package dev.casq.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;

/** Entry point of the {@code casq} command ({@code java -jar casq.jar ...}). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // On machines with fewer than 3 cores the common pool has parallelism 1, and then every
    // CompletableFuture async step (the JDK HttpClient uses them) starts a new thread. Give it
    // room unless the user chose a value.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null
        && Runtime.getRuntime().availableProcessors() < 4) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "4");
    }
    Logging.configure(args);
    PrintWriter err = new PrintWriter(System.err, true);
    StopSignal stop = StopSignal.ofProcess(err, Duration.ofSeconds(60));
    int code;
    try {
      code = run(args, System.getenv(), new PrintWriter(System.out, true), err, stop);
    } finally {
      stop.finished();
    }
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }

  /**
   * Runs the command line and returns the exit code: 0 ok, 1 error (one line on stderr), 2 usage
   * error.
   *
   * @param env the environment (CASQ_STORE, CASQ_TOKEN, CASQ_BROKER...)
   */
  public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
    return run(args, env, out, err, StopSignal.manual());
  }

  /** Runs the command line; {@code stop} asks a long-running command to stop gracefully. */
  static int run(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, StopSignal stop) {
    return CasqCommand.commandLine(env, out, err, stop).execute(args);
  }
}
