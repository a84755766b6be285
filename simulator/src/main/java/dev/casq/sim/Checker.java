package dev.casq.sim;

import dev.casq.core.internal.Job;
import dev.casq.core.internal.QueueState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges one history against the final queue object and its archives. What it holds casq to:
 *
 * <ul>
 *   <li>an acknowledged push is never lost: its job is in the object (live or finished) or in an
 *       archive, with the payload exactly as pushed;
 *   <li>one push makes at most one job, and one idempotency key makes one job (the run is shorter
 *       than the key retention);
 *   <li>no two valid leases on one job overlap: a lease is valid until its expiry as last
 *       acknowledged (a heartbeat sets it to its own time plus the extension), unless its holder
 *       ended it (complete, fail, release) first; the next grant may come at most the documented
 *       clock skew early in true time (a broker whose clock is ahead expires it that early);
 *   <li>a completion is acknowledged only under a valid lease: a token an acknowledged claim gave,
 *       before that lease expired, and before any later lease on the job was granted;
 *   <li>claims return payloads exactly as pushed;
 *   <li>revisions a reader sees never go back;
 *   <li>FIFO within a priority for one client's sequential pushes without delay: when the later one
 *       is claimed for the first time, the earlier one was claimed first (or in the same claim,
 *       before it), unless it was cancelled;
 *   <li>after the quiet period the queue has drained (nothing live is left).
 * </ul>
 */
final class Checker {
  private record Lease(
      String jobId, String token, Op.Stamp granted, Instant expiresAt, long ackAt) {}

  private final List<Op> ops;
  private final QueueState state;
  private final List<Job> archived;
  private final List<String> violations = new ArrayList<>();

  Checker(List<Op> ops, QueueState state, List<Job> archived) {
    this.ops = ops;
    this.state = state;
    this.archived = archived;
  }

  List<String> check() {
    if (state == null) {
      violations.add("the queue object does not exist at the end");
      return violations;
    }
    Map<Long, Op> invokes = new TreeMap<>();
    for (Op op : ops) {
      if (op.phase() == Op.Phase.INVOKE) {
        invokes.put(op.id(), op);
      }
    }
    Map<String, String> payloadByTag = new TreeMap<>();
    for (Op op : invokes.values()) {
      if (op.request() instanceof Request.Push p) {
        payloadByTag.putIfAbsent(Payloads.tagOf(p.payload()), p.payload());
      }
    }
    List<Job> all = new ArrayList<>(state.liveJobs());
    all.addAll(state.finishedJobs());
    all.addAll(archived);
    pushes(all, payloadByTag);
    Map<String, Lease> leases = leases(invokes);
    completions(leases);
    claimedPayloads(payloadByTag);
    revisions();
    fifo(invokes);
    if (!state.liveJobs().isEmpty()) {
      List<String> left = new ArrayList<>();
      for (Job j : state.liveJobs()) {
        left.add(j.id() + " " + j.status());
      }
      violations.add("the queue did not drain in the quiet period: " + left);
    }
    if (!state.leasedObjects().isEmpty()) { // their leases are not among the head's live jobs
      violations.add(
          "the queue did not drain in the quiet period: it names leased-jobs objects "
              + state.leasedObjects());
    }
    return violations;
  }

  /** Acknowledged pushes are durable and exact; one push or key makes one job. */
  private void pushes(List<Job> all, Map<String, String> payloadByTag) {
    Map<String, TreeSet<String>> idsByTag = new TreeMap<>();
    Map<String, TreeSet<String>> idsByKey = new TreeMap<>();
    Map<String, List<Job>> byId = new TreeMap<>();
    for (Job j : all) {
      byId.computeIfAbsent(j.id(), k -> new ArrayList<>()).add(j);
      String tag = Payloads.tagOf(j.payloadJson());
      if (tag == null || !payloadByTag.containsKey(tag)) {
        violations.add("job " + j.id() + " was never pushed: " + j.payloadJson());
        continue;
      }
      if (!payloadByTag.get(tag).equals(j.payloadJson())) {
        violations.add(
            "job "
                + j.id()
                + " holds "
                + j.payloadJson()
                + " but was pushed as "
                + payloadByTag.get(tag));
      }
      idsByTag.computeIfAbsent(tag, k -> new TreeSet<>()).add(j.id());
      if (j.idempotencyKey() != null) {
        idsByKey.computeIfAbsent(j.idempotencyKey(), k -> new TreeSet<>()).add(j.id());
      }
    }
    idsByTag.forEach(
        (tag, ids) -> {
          if (ids.size() > 1) {
            violations.add("push " + tag + " made " + ids.size() + " jobs: " + ids);
          }
        });
    idsByKey.forEach(
        (key, ids) -> {
          if (ids.size() > 1) {
            violations.add("idempotency key " + key + " made " + ids.size() + " jobs: " + ids);
          }
        });
    for (Op op : ops) {
      if (op.phase() == Op.Phase.OK && op.request() instanceof Request.Push p) {
        String jobId = ((Op.Pushed) op.result()).jobId();
        List<Job> found = byId.getOrDefault(jobId, List.of());
        if (found.stream().noneMatch(j -> j.payloadJson().equals(p.payload()))) {
          violations.add(
              "acknowledged push lost: #"
                  + op.id()
                  + " of "
                  + op.client()
                  + " ("
                  + Payloads.tagOf(p.payload())
                  + ") answered "
                  + jobId
                  + " at "
                  + op.at()
                  + (found.isEmpty() ? ", which is nowhere" : ", which holds another payload"));
        }
      }
    }
  }

  /** Acknowledged leases; checks that no two valid ones on a job overlap. */
  private Map<String, Lease> leases(Map<Long, Op> invokes) {
    Map<String, Lease> byToken = new LinkedHashMap<>();
    Map<String, Long> endedAt = new TreeMap<>(); // token -> first complete/fail/release sent
    for (Op op : ops) {
      if (op.phase() == Op.Phase.OK && op.request() instanceof Request.Claim c) {
        for (Op.Claimed j : op.claimed()) {
          byToken.put(
              j.token(), new Lease(j.jobId(), j.token(), op.stamp(), j.expiresAt(), op.at()));
        }
      } else if (op.phase() == Op.Phase.OK && op.request() instanceof Request.Heartbeat h) {
        Lease l = byToken.get(h.token());
        Instant until = ((Op.Extended) op.result()).expiresAt();
        if (l != null) { // a heartbeat sets the expiry (it may shorten it): the last one counts
          byToken.put(h.token(), new Lease(l.jobId(), l.token(), l.granted(), until, l.ackAt()));
        }
      } else if (op.phase() == Op.Phase.INVOKE) {
        for (String token : endingTokens(op.request())) {
          endedAt.putIfAbsent(token, op.at());
        }
      }
    }
    // a heartbeat whose outcome is unknown may have landed and set the expiry to its own
    // "now + extension", which can be earlier than the last acknowledged one
    Map<String, Instant> earliestPossible = new TreeMap<>();
    for (Op op : ops) {
      if (op.phase() == Op.Phase.UNKNOWN && op.request() instanceof Request.Heartbeat h) {
        Op invoked = invokes.get(op.id());
        long sentAt = invoked != null ? invoked.at() : op.at();
        Instant soonest =
            SimClock.START.plusMillis(sentAt - SimConfig.MAX_SKEW_MILLIS + h.extendMillis());
        earliestPossible.merge(h.token(), soonest, (x, y) -> x.isBefore(y) ? x : y);
      }
    }
    Map<String, List<Lease>> byJob = new TreeMap<>();
    for (Lease l : byToken.values()) {
      byJob.computeIfAbsent(l.jobId(), k -> new ArrayList<>()).add(l);
    }
    byJob.forEach(
        (job, list) -> {
          list.sort(Comparator.comparing(Lease::granted));
          for (int i = 0; i < list.size(); i++) {
            for (int k = i + 1; k < list.size(); k++) {
              Lease a = list.get(i);
              Lease b = list.get(k);
              Long ended = endedAt.get(a.token());
              boolean endedFirst = ended != null && ended <= b.ackAt();
              // b was granted at simulated time t; its broker's clock read at most MAX_SKEW more
              Instant grantedB = SimClock.START.plusMillis(b.granted().simMillis());
              Instant validUntil = a.expiresAt();
              Instant shortened = earliestPossible.get(a.token());
              if (shortened != null && shortened.isBefore(validUntil)) {
                validUntil = shortened;
              }
              if (grantedB.plusMillis(SimConfig.MAX_SKEW_MILLIS).isBefore(validUntil)
                  && !endedFirst) {
                violations.add(
                    "job "
                        + job
                        + " leased twice: "
                        + a.token()
                        + " valid until "
                        + a.expiresAt()
                        + ", and "
                        + b.token()
                        + " granted at "
                        + grantedB
                        + " (true time) in revision "
                        + b.granted().revision());
              }
            }
          }
        });
    return byToken;
  }

  /** Acknowledged completions happened under a valid lease. */
  private void completions(Map<String, Lease> leases) {
    java.util.Set<String> unsureHeartbeats = new TreeSet<>();
    Map<Long, Op> ended = new TreeMap<>();
    for (Op op : ops) {
      if (op.phase() != Op.Phase.INVOKE) {
        ended.put(op.id(), op);
      }
    }
    for (Op op : ops) {
      if (op.phase() == Op.Phase.INVOKE && op.request() instanceof Request.Heartbeat h) {
        Op end = ended.get(op.id());
        if (end == null || end.phase() == Op.Phase.UNKNOWN) {
          unsureHeartbeats.add(h.token()); // it may have extended the lease unseen
        }
      }
    }
    for (Acked a : acknowledgedCompletions()) {
      Request.Complete c = a.complete();
      Op.Stamp stamp = a.stamp();
      long opId = a.opId();
      Instant at = a.finished().finishedAt();
      Lease l = leases.get(c.token());
      if (l == null || !l.jobId().equals(c.jobId())) {
        violations.add(
            "completion #"
                + opId
                + " of "
                + c.jobId()
                + " acknowledged with a"
                + " token no acknowledged claim of it gave");
        continue;
      }
      Instant applied = SimClock.START.plusMillis(stamp.simMillis());
      if (!unsureHeartbeats.contains(c.token())
          && !applied.minusMillis(SimConfig.MAX_SKEW_MILLIS).isBefore(l.expiresAt())) {
        violations.add(
            "completion #"
                + opId
                + " of "
                + c.jobId()
                + " applied at "
                + applied
                + " (true time, finishedAt "
                + at
                + "), after its lease expired at "
                + l.expiresAt());
      }
      for (Lease other : leases.values()) {
        if (other != l
            && other.jobId().equals(c.jobId())
            && other.granted().compareTo(l.granted()) > 0
            && other.granted().compareTo(stamp) < 0) {
          violations.add(
              "completion #"
                  + opId
                  + " of "
                  + c.jobId()
                  + " under "
                  + c.token()
                  + " landed in revision "
                  + stamp.revision()
                  + ", after another lease "
                  + other.token()
                  + " was granted in revision "
                  + other.granted().revision());
        }
      }
    }
  }

  /** Claims give back the payload exactly as pushed. */
  private void claimedPayloads(Map<String, String> payloadByTag) {
    for (Op op : ops) {
      if (op.phase() == Op.Phase.OK && op.request() instanceof Request.Claim) {
        for (Op.Claimed j : op.claimed()) {
          String pushed = payloadByTag.get(Payloads.tagOf(j.payload()));
          if (!j.payload().equals(pushed)) {
            violations.add(
                "claim #"
                    + op.id()
                    + " returned "
                    + j.jobId()
                    + " with payload "
                    + j.payload()
                    + "; pushed: "
                    + pushed);
          }
        }
      }
    }
  }

  /** A reader never sees the revision go back. */
  private void revisions() {
    Map<String, Long> last = new TreeMap<>();
    for (Op op : ops) {
      if (op.phase() == Op.Phase.OK && op.result() instanceof Op.Seen seen) {
        Long before = last.get(op.client());
        if (before != null && seen.revision() < before) {
          violations.add(
              op.client()
                  + " saw revision "
                  + seen.revision()
                  + " (#"
                  + op.id()
                  + ", "
                  + op.request().kind()
                  + ") after revision "
                  + before);
        }
        last.merge(op.client(), seen.revision(), Math::max);
      }
    }
  }

  /** FIFO within a priority among one client's sequential, undelayed pushes. */
  private void fifo(Map<Long, Op> invokes) {
    // the first claim of each job, when it is known to be the first (attempt 1)
    Map<String, Op.Claimed> first = new TreeMap<>();
    Map<String, Op.Stamp> firstAt = new TreeMap<>();
    Map<String, Integer> position = new TreeMap<>();
    java.util.Set<String> claimedBefore = new TreeSet<>();
    for (Op op : ops) {
      if (op.phase() == Op.Phase.OK && op.request() instanceof Request.Claim) {
        List<Op.Claimed> jobs = op.claimed();
        for (int i = 0; i < jobs.size(); i++) {
          Op.Claimed j = jobs.get(i);
          if (j.attempts() == 1 && !first.containsKey(j.jobId())) {
            first.put(j.jobId(), j);
            firstAt.put(j.jobId(), op.stamp());
            position.put(j.jobId(), i);
          } else if (j.attempts() != 1) {
            claimedBefore.add(j.jobId()); // an earlier claim went unseen
          }
        }
      }
    }
    java.util.Set<String> cancelled = new TreeSet<>();
    for (Op op : invokes.values()) {
      if (op.request() instanceof Request.Cancel c) {
        cancelled.add(c.jobId());
      }
    }
    Map<String, List<String>> pushesByClient = new TreeMap<>();
    Map<String, Integer> priorityOf = new TreeMap<>();
    for (Op op : ops) {
      if (op.phase() == Op.Phase.OK
          && op.request() instanceof Request.Push p
          && p.delayMillis() == 0
          && !((Op.Pushed) op.result()).duplicate()) {
        String jobId = ((Op.Pushed) op.result()).jobId();
        pushesByClient.computeIfAbsent(op.client(), k -> new ArrayList<>()).add(jobId);
        priorityOf.put(jobId, p.priority());
      }
    }
    pushesByClient.forEach(
        (client, jobs) -> {
          for (int i = 0; i < jobs.size(); i++) {
            for (int k = i + 1; k < jobs.size(); k++) {
              String earlier = jobs.get(i);
              String later = jobs.get(k);
              if (!priorityOf.get(earlier).equals(priorityOf.get(later))
                  || cancelled.contains(earlier)
                  || claimedBefore.contains(earlier)) {
                continue;
              }
              Op.Claimed e = first.get(earlier);
              Op.Claimed l = first.get(later);
              if (l == null || e == null) {
                continue; // not both first claims are known
              }
              int c = firstAt.get(earlier).compareTo(firstAt.get(later));
              boolean earlierFirst =
                  c < 0 || (c == 0 && position.get(earlier) < position.get(later));
              if (!earlierFirst) {
                violations.add(
                    "FIFO: "
                        + client
                        + " pushed "
                        + earlier
                        + " (run at "
                        + e.runAt()
                        + ") before "
                        + later
                        + " (run at "
                        + l.runAt()
                        + "), priority "
                        + priorityOf.get(earlier)
                        + ", but "
                        + later
                        + " was first claimed in revision "
                        + firstAt.get(later).revision()
                        + " and "
                        + earlier
                        + " in revision "
                        + firstAt.get(earlier).revision());
              }
            }
          }
        });
  }

  private static List<String> endingTokens(Request r) {
    if (r instanceof Request.Complete c) {
      return List.of(c.token());
    }
    if (r instanceof Request.CompleteAll all) {
      List<String> tokens = new ArrayList<>();
      for (Request.Complete c : all.jobs()) {
        tokens.add(c.token());
      }
      return tokens;
    }
    if (r instanceof Request.Fail f) {
      return List.of(f.token());
    }
    if (r instanceof Request.Release rel) {
      return List.of(rel.token());
    }
    return List.of();
  }

  /** One acknowledged completion: alone, or one job of a batch (with where it landed). */
  private record Acked(
      long opId, Request.Complete complete, Op.Finished finished, Op.Stamp stamp) {}

  /** Every acknowledged completion, single or in a batch, in history order. */
  private List<Acked> acknowledgedCompletions() {
    List<Acked> out = new ArrayList<>();
    for (Op op : ops) {
      if (op.phase() != Op.Phase.OK) {
        continue;
      }
      if (op.request() instanceof Request.Complete c) {
        out.add(new Acked(op.id(), c, (Op.Finished) op.result(), op.stamp()));
      } else if (op.request() instanceof Request.CompleteAll all) {
        List<Op.Completion> results = ((Op.Completions) op.result()).jobs();
        if (results.size() != all.jobs().size()) {
          violations.add(
              "batch completion #"
                  + op.id()
                  + " sent "
                  + all.jobs().size()
                  + " jobs and got "
                  + results.size()
                  + " results");
          continue;
        }
        for (int i = 0; i < results.size(); i++) {
          Op.Completion r = results.get(i);
          if (r.finished() != null) {
            out.add(new Acked(op.id(), all.jobs().get(i), r.finished(), r.stamp()));
          }
        }
      }
    }
    return out;
  }
}
