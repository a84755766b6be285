package dev.casq.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The progress of a bulk push on stderr: {@code 412,000 / 1,000,000 jobs (41%), 38,950 jobs/s}. On
 * a terminal one line is rewritten every half second; otherwise (a log file, a pipe) a line is
 * printed every 5 seconds.
 */
final class ProgressLine implements BulkPush.Progress {
  private final PrintWriter err;
  private final boolean terminal;
  private ScheduledExecutorService timer;
  private long total;
  private LongSupplier done;
  private long startNanos;

  ProgressLine(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void start(long total, LongSupplier done) {
    this.total = total;
    this.done = done;
    this.startNanos = System.nanoTime();
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "casq-push-progress");
              t.setDaemon(true);
              return t;
            });
    long every = terminal ? 500 : 5_000;
    timer.scheduleAtFixedRate(this::show, every, every, TimeUnit.MILLISECONDS);
  }

  private void show() {
    String text = text(done.getAsLong(), total, (System.nanoTime() - startNanos) / 1e9);
    synchronized (err) {
      if (terminal) {
        err.print("\r" + text + "   ");
      } else {
        err.println("casq: " + text);
      }
      err.flush();
    }
  }

  @Override
  public void stop() {
    if (timer == null) {
      return;
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (terminal) {
      synchronized (err) {
        err.print("\r" + " ".repeat(70) + "\r");
        err.flush();
      }
    }
  }

  /** One progress line. */
  static String text(long done, long total, double seconds) {
    long pct = total == 0 ? 100 : done * 100 / total;
    return String.format(
        "%,d / %,d jobs (%d%%), %,.0f jobs/s", done, total, pct, seconds <= 0 ? 0 : done / seconds);
  }
}
