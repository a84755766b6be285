package dev.casq.sim;

import java.time.Instant;
import java.util.List;

/**
 * One line of the history: a client invoked an operation, or learnt how it ended.
 *
 * @param at simulated milliseconds
 * @param client the client's name
 * @param id the operation's number within the run (an invocation and its end share it)
 * @param phase invoke, or how it ended
 * @param request what was asked
 * @param result the answer of an {@link Phase#OK} (see the records below), else null
 * @param error why it did not succeed, else null
 */
record Op(
    long at,
    String client,
    long id,
    Phase phase,
    Request request,
    Object result,
    String error,
    Stamp stamp) {

  /**
   * Where an acknowledged command was applied for the last time (the application that landed): the
   * revision of the write that carried it, the broker's count of applied commands (the order within
   * that write), and the simulated time. Ordered as the object's history is.
   */
  record Stamp(long revision, long applied, long simMillis) implements Comparable<Stamp> {
    @Override
    public int compareTo(Stamp o) {
      int c = Long.compare(revision, o.revision);
      return c != 0 ? c : Long.compare(applied, o.applied);
    }
  }

  enum Phase {
    INVOKE,
    /** Succeeded: its effect is durable. */
    OK,
    /** Definitely not applied (refused by a broker that does not serve, or by the rules). */
    FAIL,
    /** May or may not have been applied (timed out, outcome unknown, broker went away). */
    UNKNOWN
  }

  /** A pushed job as its push was answered. */
  record Pushed(String jobId, boolean duplicate) {}

  /** A job as a claim returned it. */
  record Claimed(
      String jobId,
      String token,
      Instant expiresAt,
      String payload,
      int priority,
      Instant runAt,
      int attempts) {}

  /** A lease as a heartbeat returned it. */
  record Extended(Instant expiresAt) {}

  /** A completed job: when the broker finished it. */
  record Finished(Instant finishedAt) {}

  /**
   * One job of an acknowledged batch completion: completed ({@code finished}, landed at {@code
   * stamp}) or refused by the rules ({@code error}).
   */
  record Completion(Finished finished, String error, Stamp stamp) {}

  /** The jobs of an OK batch completion, in the order sent. */
  record Completions(List<Completion> jobs) {}

  /** A revision seen by a reader (a read of the object or a stats answer). */
  record Seen(long revision) {}

  /** The claimed jobs of an OK claim. */
  @SuppressWarnings("unchecked")
  List<Claimed> claimed() {
    return (List<Claimed>) result;
  }

  String line() {
    StringBuilder b = new StringBuilder();
    b.append(at)
        .append(' ')
        .append(client)
        .append(" #")
        .append(id)
        .append(' ')
        .append(phase.name().toLowerCase(java.util.Locale.ROOT))
        .append(' ')
        .append(request);
    if (result != null) {
      b.append(" -> ").append(result);
    }
    if (error != null) {
      b.append(" !! ").append(error);
    }
    if (stamp != null) {
      b.append(" @r").append(stamp.revision()).append('.').append(stamp.applied());
    }
    return b.toString();
  }
}
