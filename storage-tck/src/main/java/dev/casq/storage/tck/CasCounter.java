package dev.casq.storage.tck;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.StorageException;
import dev.casq.storage.VersionedBytes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A counter kept in one object and incremented by several writers with compare-and-swap: the
 * canonical exercise of a store's CAS, usable from threads or from separate processes.
 *
 * <p>The object remembers, besides the total, how many increments of each writer it holds. That is
 * what makes an {@link OutcomeUnknownException} decidable: after an unknown outcome the writer
 * re-reads and sees whether its increment is in. An unknown outcome is never counted as a win or a
 * loss without reading. Every read also checks the invariants (total = sum of the writers' counts;
 * a writer's count never goes backwards or skips), so a lost or duplicated update fails loudly.
 *
 * <p>The content is plain text, one {@code name=value} per line: {@code total=400}, then one line
 * per writer in name order.
 */
public final class CasCounter {
  private static final Logger LOG = LoggerFactory.getLogger(CasCounter.class);
  private static final int MAX_ATTEMPTS_PER_INCREMENT = 100_000;
  private static final int MAX_READ_RETRIES = 20;

  private final ObjectStore store;
  private final String key;

  public CasCounter(ObjectStore store, String key) {
    this.store = Objects.requireNonNull(store, "store");
    this.key = Objects.requireNonNull(key, "key");
  }

  /** The counter's content: the total and the number of increments of each writer. */
  public record State(long total, SortedMap<String, Long> perWriter) {
    public State {
      perWriter = new TreeMap<>(perWriter);
    }

    /** An empty counter. */
    public static State zero() {
      return new State(0, new TreeMap<>());
    }

    /** How many increments of {@code writer} this state holds. */
    public long count(String writer) {
      return perWriter.getOrDefault(writer, 0L);
    }

    /** This state plus one increment by {@code writer}. */
    public State plusOne(String writer) {
      SortedMap<String, Long> next = new TreeMap<>(perWriter);
      next.merge(writer, 1L, Long::sum);
      return new State(total + 1, next);
    }

    /** The object content. */
    public byte[] encode() {
      StringBuilder sb = new StringBuilder("total=").append(total).append('\n');
      perWriter.forEach((w, n) -> sb.append(w).append('=').append(n).append('\n'));
      return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses content written by {@link #encode()} and checks that the total is the sum of the
     * writers' counts.
     *
     * @throws IllegalStateException if the content is not a consistent counter
     */
    public static State decode(byte[] data) {
      String text = new String(data, StandardCharsets.UTF_8);
      String[] lines = text.split("\n");
      if (lines.length == 0 || !lines[0].startsWith("total=")) {
        throw new IllegalStateException("not a counter object: '" + abbreviate(text) + "'");
      }
      try {
        long total = Long.parseLong(lines[0].substring("total=".length()));
        SortedMap<String, Long> perWriter = new TreeMap<>();
        long sum = 0;
        for (int i = 1; i < lines.length; i++) {
          int eq = lines[i].lastIndexOf('=');
          long n = Long.parseLong(lines[i].substring(eq + 1));
          perWriter.put(lines[i].substring(0, eq), n);
          sum += n;
        }
        if (sum != total) {
          throw new IllegalStateException(
              "counter is inconsistent: total="
                  + total
                  + " but the writers' counts sum to "
                  + sum
                  + ": "
                  + perWriter);
        }
        return new State(total, perWriter);
      } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
        throw new IllegalStateException("not a counter object: '" + abbreviate(text) + "'", e);
      }
    }

    private static String abbreviate(String s) {
      return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
  }

  /**
   * What one writer went through.
   *
   * @param increments increments applied
   * @param preconditionFailures lost races (re-read and retried)
   * @param unknownOutcomes writes whose outcome was unknown
   * @param unknownThatLanded unknown outcomes that turned out, on re-reading, to have landed
   */
  public record Stats(
      long increments, long preconditionFailures, long unknownOutcomes, long unknownThatLanded) {}

  /** Creates the counter at zero unless it exists; an unknown outcome is resolved by reading. */
  public void initialize() {
    for (int attempt = 1; ; attempt++) {
      try {
        store.create(key, State.zero().encode());
        return;
      } catch (PreconditionFailedException exists) {
        State.decode(readExisting().data());
        return;
      } catch (OutcomeUnknownException unknown) {
        if (attempt >= MAX_READ_RETRIES) {
          throw unknown;
        }
        if (readWithRetry() != null) {
          return;
        }
      }
    }
  }

  /** Reads and checks the counter. */
  public State read() {
    return State.decode(readExisting().data());
  }

  /**
   * Applies {@code times} increments as {@code writer}, one CAS each, retrying lost races and
   * resolving unknown outcomes by re-reading. Writer names must be unique among concurrent writers
   * and must not contain '=' or a line break.
   *
   * @throws IllegalStateException if the store lost or duplicated an increment
   */
  public Stats increment(String writer, int times) {
    if (writer.isEmpty()
        || writer.contains("=")
        || writer.contains("\n")
        || writer.equals("total")) {
      throw new IllegalArgumentException("bad writer name: '" + writer + "'");
    }
    long start = read().count(writer);
    long lost = 0;
    long unknown = 0;
    long unknownLanded = 0;
    for (long seq = start + 1; seq <= start + times; seq++) {
      boolean pendingUnknown = false;
      for (int attempt = 1; ; attempt++) {
        if (attempt > MAX_ATTEMPTS_PER_INCREMENT) {
          throw new IllegalStateException(
              writer + " made no progress in " + MAX_ATTEMPTS_PER_INCREMENT + " attempts");
        }
        VersionedBytes current = readExisting();
        State state = State.decode(current.data());
        long mine = state.count(writer);
        if (mine == seq && pendingUnknown) {
          unknownLanded++;
          LOG.debug("{}: write of increment {} had an unknown outcome and landed", writer, seq);
          break;
        }
        if (mine != seq - 1) {
          throw new IllegalStateException(
              writer
                  + " expected its count at "
                  + (seq - 1)
                  + (pendingUnknown ? " or " + seq : "")
                  + " but the store holds "
                  + mine
                  + ": an increment was lost or duplicated");
        }
        try {
          store.replace(key, state.plusOne(writer).encode(), current.version());
          break;
        } catch (PreconditionFailedException e) {
          lost++;
          LOG.debug("{}: lost a race at increment {}", writer, seq);
        } catch (OutcomeUnknownException e) {
          unknown++;
          pendingUnknown = true;
          LOG.debug("{}: unknown outcome at increment {}: {}", writer, seq, e.getMessage());
        }
      }
    }
    return new Stats(times, lost, unknown, unknownLanded);
  }

  private VersionedBytes readExisting() {
    VersionedBytes v = readWithRetry();
    if (v == null) {
      throw new IllegalStateException("counter object " + key + " does not exist");
    }
    return v;
  }

  /** Reads, retrying failed reads a few times (a read changes nothing, so retrying is safe). */
  private VersionedBytes readWithRetry() {
    for (int attempt = 1; ; attempt++) {
      try {
        return store.read(key).orElse(null);
      } catch (StorageException e) {
        if (attempt >= MAX_READ_RETRIES) {
          throw e;
        }
        LOG.debug("read of {} failed (attempt {}): {}", key, attempt, e.getMessage());
      }
    }
  }

  /** The counter of every writer at once, for assertions. */
  public Map<String, Long> perWriter() {
    return read().perWriter();
  }
}
