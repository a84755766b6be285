package dev.casq.core;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * ISO-8601 UTC text of instants ({@code 2026-11-25T18:27:27.729379116Z}), the same text
 * {@link Instant#toString()} writes and {@link Instant#parse} reads, written by the codec's
 * {@link JsonLineWriter#writeTimestamp} several times faster: encoding timestamps was once the
 * largest single cost of a commit.
 */
final class Timestamps {
  private static final long MAX_EPOCH_SECOND = 253402300799L; // 9999-12-31T23:59:59Z

  private Timestamps() {}

  static String format(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds < 0 || seconds > MAX_EPOCH_SECOND) {
      return t.toString();
    }
    byte[] out = new byte[32];
    int n = JsonLineWriter.writeTimestamp(seconds, t.getNano(), out, 0);
    return new String(out, 0, n, StandardCharsets.US_ASCII);
  }
}
