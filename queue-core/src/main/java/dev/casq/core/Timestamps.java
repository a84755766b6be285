package dev.casq.core;

import java.time.Instant;
import java.time.LocalDate;

/**
 * Writes instants as ISO-8601 UTC text ({@code 2026-11-25T18:27:27.729379116Z}), the same text
 * {@link Instant#parse} reads, several times faster than {@link Instant#toString()}: encoding
 * timestamps was the largest single cost of a commit. Years 0 to 9999 only; others fall back to
 * {@link Instant#toString()}.
 */
final class Timestamps {
  private static final long MAX_EPOCH_SECOND = 253402300799L; // 9999-12-31T23:59:59Z

  private record Day(long epochDay, String text) {}

  private static volatile Day lastDay = new Day(Long.MIN_VALUE, "");

  private Timestamps() {}

  static String format(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds < 0 || seconds > MAX_EPOCH_SECOND) {
      return t.toString();
    }
    long epochDay = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    Day day = lastDay;
    if (day.epochDay() != epochDay) {
      day = new Day(epochDay, LocalDate.ofEpochDay(epochDay).toString());
      lastDay = day;
    }
    StringBuilder b = new StringBuilder(30).append(day.text()).append('T');
    two(b, secondOfDay / 3600);
    b.append(':');
    two(b, secondOfDay / 60 % 60);
    b.append(':');
    two(b, secondOfDay % 60);
    int nanos = t.getNano();
    if (nanos != 0) {
      int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
      b.append('.').append(Integer.toString(nanos + 1_000_000_000), 1, 1 + digits);
    }
    return b.append('Z').toString();
  }

  private static void two(StringBuilder b, int n) {
    b.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
  }
}
