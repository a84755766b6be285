package dev.casq.election;

import java.util.Objects;

/**
 * What {@link TakeoverRule} decided about a recorded broker, and why (for logs and errors).
 *
 * @param verdict the decision
 * @param reason a sentence saying why
 */
public record TakeoverDecision(Verdict verdict, String reason) {
  /** The three answers of the rule. */
  public enum Verdict {
    /** The recorded broker is alive: use it, never displace it. */
    ALIVE,
    /** The queue has no live broker: a new one may claim it now. */
    TAKE_OVER,
    /** Not confirmed alive, but not provably gone either: do not take over, look again later. */
    WAIT
  }

  public TakeoverDecision {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(reason, "reason");
  }

  public boolean takeOver() {
    return verdict == Verdict.TAKE_OVER;
  }
}
