package dev.casq.cli;

import dev.casq.api.BatchPushException;
import dev.casq.api.CasqException;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.client.ClientQueue;
import dev.casq.client.JsonPush;
import dev.casq.core.QueuePolicy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * {@code casq push --file}: pushes one job per line of a JSON-lines file through the broker's batch
 * endpoint, 1000 jobs per request, a few requests in flight.
 *
 * <p>The whole file is checked before the first job is pushed, so a malformed line changes nothing.
 * A job the broker then refuses (one of its own limits) is reported by line number and the command
 * goes on with the others; a failure of a whole request (no broker within the deadline) stops the
 * command and says which lines were pushed.
 */
final class BulkPush {
  /** What a bulk push did. */
  record Summary(long lines, long pushed, long duplicates, long refused, double seconds) {}

  /** The first line the command pushes and how lines without a key get one. */
  record Settings(
      PushLine.Format format,
      PushOptions defaults,
      long fromLine,
      String keyPrefix,
      int inFlight) {}

  private final Path file;
  private final Settings settings;
  private final PrintWriter err;
  private final Progress progress;

  BulkPush(Path file, Settings settings, PrintWriter err, Progress progress) {
    this.file = file;
    this.settings = settings;
    this.err = err;
    this.progress = progress;
  }

  /**
   * Checks every line (pushing nothing); returns how many jobs the file holds from {@code fromLine}
   * on.
   *
   * @throws CliException naming the first bad line
   */
  long check() throws IOException {
    long jobs = 0;
    try (BufferedReader in = open()) {
      String text;
      long number = 0;
      while ((text = in.readLine()) != null) {
        number++;
        if (number < settings.fromLine() || text.isBlank()) {
          continue;
        }
        try {
          PushLine.parse(text, settings.format(), settings.defaults());
        } catch (PushLine.BadLine e) {
          throw new CliException(
              file + " line " + number + ": " + e.getMessage() + "; nothing was pushed");
        }
        jobs++;
      }
    } catch (CharacterCodingException e) {
      throw new CliException(file + " is not UTF-8 text; nothing was pushed");
    }
    return jobs;
  }

  /** Pushes every job of the file (after {@link #check}); the queue's answers are counted. */
  Summary push(ClientQueue<?> queue, long total) throws IOException, InterruptedException {
    long start = System.nanoTime();
    List<Batch> inFlight = new ArrayList<>();
    Counts counts = new Counts();
    progress.start(total, counts::pushedOrRefused);
    try (BufferedReader in = open()) {
      List<JsonPush> jobs = new ArrayList<>(QueuePolicy.MAX_CLAIM_BATCH);
      List<Long> lineNumbers = new ArrayList<>(QueuePolicy.MAX_CLAIM_BATCH);
      String text;
      long number = 0;
      while ((text = in.readLine()) != null) {
        number++;
        if (number < settings.fromLine() || text.isBlank()) {
          continue;
        }
        JsonPush job;
        try {
          job = PushLine.parse(text, settings.format(), settings.defaults());
        } catch (PushLine.BadLine e) {
          throw new CliException(
              file
                  + " line "
                  + number
                  + " changed while it was pushed: "
                  + e.getMessage()
                  + "; "
                  + counts.before(number));
        }
        if (job.options().idempotencyKey() == null && settings.keyPrefix() != null) {
          job = new JsonPush(job.payloadJson(), job.options().key(settings.keyPrefix() + number));
        }
        jobs.add(job);
        lineNumbers.add(number);
        if (jobs.size() == QueuePolicy.MAX_CLAIM_BATCH) {
          inFlight.add(send(queue, jobs, lineNumbers));
          jobs = new ArrayList<>(QueuePolicy.MAX_CLAIM_BATCH);
          lineNumbers = new ArrayList<>(QueuePolicy.MAX_CLAIM_BATCH);
          while (inFlight.size() >= settings.inFlight()) {
            settle(inFlight.remove(0), counts);
          }
        }
      }
      if (!jobs.isEmpty()) {
        inFlight.add(send(queue, jobs, lineNumbers));
      }
      while (!inFlight.isEmpty()) {
        settle(inFlight.remove(0), counts);
      }
    } finally {
      progress.stop();
    }
    return new Summary(
        total, counts.pushed, counts.duplicates, counts.refused, (System.nanoTime() - start) / 1e9);
  }

  private record Batch(List<Long> lineNumbers, CompletableFuture<List<PushResult>> results) {}

  private static Batch send(ClientQueue<?> queue, List<JsonPush> jobs, List<Long> lineNumbers) {
    return new Batch(lineNumbers, queue.pushAllJsonAsync(jobs));
  }

  /** Waits for one batch (batches are settled in file order) and counts its answers. */
  private void settle(Batch batch, Counts counts) throws InterruptedException {
    try {
      counts.add(batch.results().get());
    } catch (ExecutionException e) {
      Throwable cause =
          e.getCause() instanceof CompletionException c && c.getCause() != null
              ? c.getCause()
              : e.getCause();
      if (cause instanceof BatchPushException b) {
        counts.add(b.results());
        for (Map.Entry<Integer, CasqException> refused : b.errors().entrySet()) {
          counts.refused++;
          err.println(
              "casq: "
                  + file
                  + " line "
                  + batch.lineNumbers().get(refused.getKey())
                  + " was refused: "
                  + CasqCommand.oneLine(refused.getValue()));
        }
        err.flush();
        return;
      }
      long first = batch.lineNumbers().get(0);
      throw new CliException(
          "pushing "
              + file
              + " from line "
              + first
              + " failed: "
              + CasqCommand.oneLine(cause)
              + "; "
              + counts.before(first)
              + " (a request that failed may have been pushed in part; run the command again with"
              + " --from-line "
              + first
              + (settings.keyPrefix() != null
                  ? " --key-prefix '" + settings.keyPrefix() + "' to push the rest without doubles)"
                  : " to push the rest)"),
          cause);
    }
  }

  private BufferedReader open() throws IOException {
    try {
      return new BufferedReader(
          new InputStreamReader(
              Files.newInputStream(file),
              StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)),
          1 << 16);
    } catch (NoSuchFileException e) {
      throw new CliException("no such file: " + file);
    }
  }

  /** Answers counted so far; updated by the pushing thread, read by the progress display. */
  private static final class Counts {
    volatile long pushed;
    volatile long duplicates;
    volatile long refused;

    void add(List<PushResult> results) {
      long p = 0;
      long d = 0;
      for (PushResult r : results) {
        if (r != null) {
          p++;
          d += r.duplicate() ? 1 : 0;
        }
      }
      pushed += p;
      duplicates += d;
    }

    long pushedOrRefused() {
      return pushed + refused;
    }

    String before(long line) {
      return "the jobs of the lines before line "
          + line
          + " were pushed ("
          + pushed
          + " jobs"
          + (duplicates > 0 ? ", " + duplicates + " of them duplicates of existing keys" : "")
          + (refused > 0 ? ", " + refused + " lines refused" : "")
          + ")";
    }
  }

  /** The progress display on stderr. */
  interface Progress {
    /** Starts showing progress towards {@code total} jobs. */
    void start(long total, LongSupplier done);

    /** Stops (and clears a live line). */
    void stop();

    /** No display (tests). */
    Progress NONE =
        new Progress() {
          @Override
          public void start(long total, LongSupplier done) {}

          @Override
          public void stop() {}
        };
  }
}
