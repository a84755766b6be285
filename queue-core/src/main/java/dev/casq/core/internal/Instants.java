package dev.casq.core.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Arithmetic on instants that saturates at {@link Instant#MIN}/{@link Instant#MAX} instead of
 * throwing.
 */
final class Instants {
  private Instants() {}

  /**
   * {@code t + d}, or the nearest representable instant when that lies outside Instant's range: a
   * command must never fail (and the engine never stop) because an instant overflowed.
   */
  static Instant saturatingPlus(Instant t, Duration d) {
    try {
      return t.plus(d);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return d.isNegative() ? Instant.MIN : Instant.MAX;
    }
  }
}
