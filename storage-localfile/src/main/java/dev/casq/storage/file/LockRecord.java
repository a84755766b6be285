package dev.casq.storage.file;

import dev.casq.storage.Version;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The content of an object's lock file: one fixed-length text line.
 *
 * <ul>
 *   <li>{@code casq-lock 1 live <incarnation> <generation>}: the object's current version is {@code
 *       <incarnation>-<generation>}. The generation grows by one with every write; the incarnation
 *       is random, chosen when the lock file is first written, so versions stay unique when an
 *       object is deleted and created again (its lock file goes with it).
 *   <li>{@code casq-lock 1 dead <nonce>}: the object was deleted and this lock file was about to be
 *       unlinked. Whoever locks it must let go and open the path again.
 *   <li>empty or unreadable: fresh; no version yet.
 * </ul>
 */
record LockRecord(State state, long incarnation, long generation) {
  /** Bytes in an encoded record. */
  static final int SIZE = 64;

  private static final String PREFIX = "casq-lock 1 ";

  enum State {
    FRESH,
    LIVE,
    DEAD
  }

  static LockRecord fresh() {
    return new LockRecord(State.FRESH, 0, 0);
  }

  static LockRecord live(long incarnation, long generation) {
    return new LockRecord(State.LIVE, incarnation, generation);
  }

  static LockRecord dead(long nonce) {
    return new LockRecord(State.DEAD, nonce, 0);
  }

  /** The record after one more write: the next generation, or generation 1 of a new incarnation. */
  LockRecord next(long newIncarnation) {
    return state == State.LIVE ? live(incarnation, generation + 1) : live(newIncarnation, 1);
  }

  /** The version of the object content this record describes; only for live records. */
  Version version() {
    if (state != State.LIVE) {
      throw new IllegalStateException("no version in a " + state + " lock record");
    }
    return new Version(HexFormat.of().toHexDigits(incarnation) + "-" + generation);
  }

  /** Whether {@code v} names the same incarnation and generation as this live record. */
  boolean matches(Version v) {
    return state == State.LIVE && version().equals(v);
  }

  byte[] encode() {
    String line =
        switch (state) {
          case LIVE ->
              PREFIX
                  + "live "
                  + HexFormat.of().toHexDigits(incarnation)
                  + " "
                  + String.format(Locale.ROOT, "%019d", generation);
          case DEAD -> PREFIX + "dead " + HexFormat.of().toHexDigits(incarnation);
          case FRESH -> "";
        };
    StringBuilder sb = new StringBuilder(line);
    while (sb.length() < SIZE - 1) {
      sb.append(' ');
    }
    return sb.append('\n').toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Decodes the first {@code length} bytes of a lock file. Anything that is not a valid record is
   * fresh (see {@link #isReadable(byte[], int)}).
   */
  static LockRecord decode(byte[] bytes, int length) {
    String line = new String(bytes, 0, length, StandardCharsets.US_ASCII).trim();
    if (!line.startsWith(PREFIX)) {
      return fresh();
    }
    String[] parts = line.substring(PREFIX.length()).split(" ");
    try {
      if (parts.length == 3 && parts[0].equals("live") && parts[1].length() == 16) {
        long generation = Long.parseLong(parts[2]);
        if (generation >= 0) {
          return live(HexFormat.fromHexDigitsToLong(parts[1]), generation);
        }
      }
      if (parts.length == 2 && parts[0].equals("dead") && parts[1].length() == 16) {
        return dead(HexFormat.fromHexDigitsToLong(parts[1]));
      }
    } catch (NumberFormatException e) {
      return fresh();
    }
    return fresh();
  }

  /** Whether the bytes are blank or a valid record (as opposed to damaged). */
  static boolean isReadable(byte[] bytes, int length) {
    return new String(bytes, 0, length, StandardCharsets.US_ASCII).isBlank()
        || decode(bytes, length).state != State.FRESH;
  }

  /**
   * Checks that {@code v} looks like a version of this store.
   *
   * @throws IllegalArgumentException if it does not
   */
  static void checkVersion(Version v) {
    String t = v.token();
    int dash = t.indexOf('-');
    boolean ok = dash == 16 && t.length() > 17;
    if (ok) {
      try {
        HexFormat.fromHexDigitsToLong(t.substring(0, 16));
        ok = Long.parseLong(t.substring(17)) >= 0;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new IllegalArgumentException("not a file:// version token: " + v);
    }
  }
}
