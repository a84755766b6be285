package dev.casq.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * One node's clock: simulated time plus this node's offset, which stays within the documented skew
 * (+-{@code maxSkewMillis}) but may jump inside it (an NTP step, a VM resumed).
 */
final class SimClock extends Clock {
  /** Where simulated time 0 is: a fixed instant, so histories do not depend on the real date. */
  static final Instant START = Instant.parse("2031-03-14T09:26:53Z");

  private final Scheduler scheduler;
  private long offsetMillis;

  SimClock(Scheduler scheduler, long offsetMillis) {
    this.scheduler = scheduler;
    this.offsetMillis = offsetMillis;
  }

  long offsetMillis() {
    return offsetMillis;
  }

  void jumpTo(long newOffsetMillis) {
    this.offsetMillis = newOffsetMillis;
  }

  @Override
  public Instant instant() {
    return START.plusMillis(scheduler.now() + offsetMillis);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
