package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The one rule that says whether the broker recorded in a queue object is alive, used by broker
 * start-up, standby brokers and clients alike. Pure: the probe's answer and the time come in.
 *
 * <p>The recorded broker is <b>alive</b> when its address answers {@code /health} with 200, the
 * recorded broker id, and no sign that it stopped serving the queue (status {@code ok}, the queue
 * not fenced or closed there), and its heartbeat in the object is fresh. A new broker may <b>take
 * over</b> when none is recorded, when the recorded one resigned, or when its heartbeat is stale
 * and its address does not confirm it (refused, timed out, another broker id, an error status,
 * garbage). Everything else is <b>wait</b>: a fresh heartbeat is never overruled (the claim would
 * be refused anyway), and a broker that confirms itself is never displaced, even with a stale
 * heartbeat (it may only be slow to write; a takeover would fence a working broker).
 *
 * <p>Staleness is judged with the staleness the recorded broker declared in its record, bounded
 * (see {@link Staleness}), so that clients, standbys and starting brokers all judge one broker the
 * same way whatever they were configured with. Callers pass their configured staleness as the
 * {@code defaultStaleAfter}, used only for a record that declares none (written by an earlier
 * version).
 */
public final class TakeoverRule {
  private TakeoverRule() {}

  /**
   * Decides about {@code recorded}.
   *
   * @param recorded the broker recorded in the queue object, or null when none is
   * @param probe what its address answered ({@link ProbeResult#notAsked()} when not probed)
   * @param now the time to judge the heartbeat at
   * @param defaultStaleAfter how old a heartbeat must be to count as stale when the record does not
   *     declare it
   */
  public static TakeoverDecision decide(
      BrokerRecord recorded, ProbeResult probe, Instant now, Duration defaultStaleAfter) {
    Objects.requireNonNull(probe, "probe");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(defaultStaleAfter, "defaultStaleAfter");
    if (recorded == null) {
      return take("no broker is recorded");
    }
    String who = "broker " + recorded.id() + " at " + recorded.address();
    if (isResigned(recorded)) {
      return take(who + " resigned");
    }
    boolean stale = Staleness.isStale(recorded, now, defaultStaleAfter);
    String confirmation = whyNotConfirmed(recorded, probe);
    if (!stale) {
      return confirmation == null
          ? new TakeoverDecision(TakeoverDecision.Verdict.ALIVE, who + " is alive")
          : new TakeoverDecision(
              TakeoverDecision.Verdict.WAIT,
              who
                  + " has a fresh heartbeat ("
                  + recorded.heartbeatAt()
                  + ") but "
                  + confirmation
                  + "; waiting until it is stale");
    }
    if (confirmation == null) {
      return new TakeoverDecision(
          TakeoverDecision.Verdict.WAIT,
          who
              + " answers though its heartbeat ("
              + recorded.heartbeatAt()
              + ") is stale; not displacing it");
    }
    return take(
        who + " has a stale heartbeat (" + recorded.heartbeatAt() + ") and " + confirmation);
  }

  /**
   * Whether the probe needs to be asked: when it cannot change the decision (no broker recorded,
   * resigned, or a fresh heartbeat for a caller that only cares about taking over), it is skipped.
   */
  public static boolean probeNeeded(
      BrokerRecord recorded, Instant now, Duration defaultStaleAfter) {
    return recorded != null
        && !isResigned(recorded)
        && Staleness.isStale(recorded, now, defaultStaleAfter);
  }

  /** True when {@code probe} confirms that {@code recorded} is up and serves its queue. */
  public static boolean confirms(BrokerRecord recorded, ProbeResult probe) {
    return whyNotConfirmed(recorded, probe) == null;
  }

  /** True when the broker gave the queue up on a clean shutdown. */
  public static boolean isResigned(BrokerRecord recorded) {
    return recorded.heartbeatAt().equals(ResignBrokerCommand.RESIGNED);
  }

  /** Null when the probe confirms the broker; otherwise what it said instead. */
  private static String whyNotConfirmed(BrokerRecord recorded, ProbeResult probe) {
    return switch (probe.outcome()) {
      case NOT_ASKED -> "its address was not asked";
      case REFUSED -> "nothing answers at its address (" + probe.detail() + ")";
      case TIMED_OUT -> "its address does not answer in time";
      case UNREADABLE -> "its address gives no casq health answer (" + probe.detail() + ")";
      case ANSWERED -> {
        if (probe.httpStatus() != 200) {
          yield "its address answers "
              + probe.httpStatus()
              + (probe.status() == null ? "" : " (" + probe.status() + ")");
        }
        if (!recorded.id().equals(probe.brokerId())) {
          yield "its address is answered by another broker (" + probe.brokerId() + ")";
        }
        if (probe.status() != null && !"ok".equals(probe.status())) {
          yield "it says it is " + probe.status();
        }
        if (probe.queueStatus() != null && !"serving".equals(probe.queueStatus())) {
          yield "it no longer serves the queue (" + probe.queueStatus() + ")";
        }
        yield null;
      }
    };
  }

  private static TakeoverDecision take(String reason) {
    return new TakeoverDecision(TakeoverDecision.Verdict.TAKE_OVER, reason);
  }
}
