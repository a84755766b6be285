package dev.casq.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request to stop gracefully: SIGTERM or SIGINT (Ctrl-C) for the {@code casq} process, or a call
 * of {@link #request(String)} (tests, embedding).
 *
 * <p>The process's signals are <b>handled</b>, not left to the JVM's shutdown: by default SIGTERM
 * starts the JVM's shutdown sequence at once, which runs the shutdown hooks and then halts with
 * status 143 as soon as the hooks return, whatever the main thread is still doing (resigning the
 * queues, closing the client). A command's clean stop then raced the halt and sometimes lost it.
 * Here a signal only asks the running command to stop; the command drains, resigns and returns its
 * exit status, and {@link Main} exits with it (0). A second signal exits at once (status 128 + the
 * signal's number), for an operator who does not want to wait; so does the first one while the
 * running command has no graceful stop ({@code stats}, {@code demo}, ...).
 */
final class StopSignal {
  private final CompletableFuture<String> requested = new CompletableFuture<>();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicInteger signals = new AtomicInteger();

  /** Whether the running command stops gracefully on request (broker, work, push). */
  private final java.util.concurrent.atomic.AtomicBoolean listened =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** A stop signal only {@link #request(String)} sets (tests, commands run in-process). */
  static StopSignal manual() {
    return new StopSignal();
  }

  /**
   * The stop signal of this process: handles SIGTERM and SIGINT, and adds a shutdown hook for any
   * other way the JVM may be asked to exit (SIGHUP, say) that asks the command to stop and waits up
   * to {@code hookWait} for it to finish.
   */
  static StopSignal ofProcess(PrintWriter err, Duration hookWait) {
    StopSignal stop = new StopSignal();
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> stop.onSignal(sig, err));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // -Xrs or a platform without it: the JVM's default (shutdown hooks) stays in place
      }
    }
    Thread hook =
        new Thread(
            () -> {
              stop.request("the JVM is shutting down");
              if (!stop.listened.get()) {
                return;
              }
              try {
                stop.finished.await(hookWait.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "casq-stop-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    return stop;
  }

  private void onSignal(sun.misc.Signal sig, PrintWriter err) {
    if (signals.incrementAndGet() > 1) {
      synchronized (err) {
        err.println("casq: second SIG" + sig.getName() + ": exiting without waiting");
        err.flush();
      }
      Runtime.getRuntime().halt(128 + sig.getNumber());
    }
    if (!listened.get()) {
      // a command without a graceful stop (stats, demo, bench...): exit as the JVM would
      Runtime.getRuntime().exit(128 + sig.getNumber());
    }
    request("SIG" + sig.getName());
  }

  /** Asks the command to stop; the first reason is kept. */
  void request(String reason) {
    requested.complete(reason);
  }

  boolean isRequested() {
    return requested.isDone();
  }

  /** Completes with the reason once a stop is requested. */
  CompletableFuture<String> requested() {
    return requested;
  }

  /**
   * Runs {@code action} (on the requesting thread) once a stop is requested. A command that calls
   * this stops gracefully; for the others a signal exits at once, as the JVM's default does.
   */
  void onRequest(Runnable action) {
    listened.set(true);
    requested.thenRun(action);
  }

  /** Waits until a stop is requested or {@code timeout} passed; true when requested. */
  boolean await(Duration timeout) throws InterruptedException {
    try {
      requested.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  /** Called by {@link Main} once the command returned: a waiting shutdown hook may go on. */
  void finished() {
    finished.countDown();
  }
}
