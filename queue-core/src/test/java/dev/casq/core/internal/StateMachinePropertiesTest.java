package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.PushResult;
import dev.casq.core.QueuePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Invariants of the pure state machine over random command sequences. */
class StateMachinePropertiesTest {

  /** One step of a random run: an operation code and two random numbers. */
  record Step(int op, int a, int b) {}

  @Provide
  Arbitrary<List<Step>> runs() {
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 1000))
            .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(200);
  }

  @Property(tries = 200)
  void invariantsHoldOverRandomRuns(@ForAll("runs") List<Step> steps) {
    QueuePolicy policy =
        new QueuePolicy(
            Duration.ofSeconds(30),
            Duration.ofHours(1),
            3,
            Duration.ofSeconds(1),
            Duration.ofSeconds(8),
            Duration.ofMinutes(1),
            QueuePolicy.MIN_IDEMPOTENCY_MEMORY_BUDGET,
            1024);
    QueueStateMachine m = new QueueStateMachine(policy, Tokens.sequential("tok"));
    QueueState s = QueueState.empty();
    Instant now = Instant.parse("2026-11-25T00:00:00Z");
    List<Job> held = new ArrayList<>(); // leases handed out (possibly stale)
    Set<String> acknowledgedKeys = new HashSet<>();
    long created = 0;

    for (Step st : steps) {
      try {
        switch (st.op()) {
          case 0, 1, 2 -> {
            String key = st.b() % 3 == 0 ? "k" + (st.b() % 17) : null;
            PushRequest r =
                PushRequest.of("{\"n\":" + st.a() + "}")
                    .withPriority(st.a() % 3)
                    .withDelay(Duration.ofMillis(st.b() % 4 == 0 ? st.b() * 10L : 0));
            if (key != null) {
              r = r.withIdempotencyKey(key);
            }
            m.tick(s, now); // time may have made the key forgotten
            boolean knownKey = key != null && s.jobForKey(key, now) != null;
            PushResult res = m.push(s, r, now);
            assertThat(res.duplicate()).isEqualTo(knownKey);
            if (!res.duplicate()) {
              created++;
            }
            if (key != null) {
              acknowledgedKeys.add(key);
            }
          }
          case 3, 4 -> {
            m.tick(s, now);
            List<Job> readyBefore = new ArrayList<>(s.ready);
            List<Job> got =
                m.claim(s, new ClaimRequest("w" + st.a() % 4, null, 1 + st.b() % 3, null), now);
            // claimed jobs are exactly the first ready jobs in (priority desc, runAt, seq) order
            readyBefore.sort(QueueState.READY_ORDER);
            assertThat(got)
                .extracting(Job::id)
                .containsExactlyElementsOf(
                    readyBefore.subList(0, got.size()).stream().map(Job::id).toList());
            for (Job j : got) {
              assertThat(j.runAt()).isBeforeOrEqualTo(now);
            }
            held.addAll(got);
          }
          case 5 -> {
            if (!held.isEmpty()) {
              Job j = held.get(st.a() % held.size());
              m.complete(s, j.id(), j.lease().token(), null, now);
            }
          }
          case 6 -> {
            if (!held.isEmpty()) {
              Job j = held.get(st.a() % held.size());
              m.fail(s, j.id(), j.lease().token(), "boom", st.b() % 2 == 0, now);
            }
          }
          case 7 -> {
            if (!held.isEmpty()) {
              Job j = held.get(st.a() % held.size());
              m.heartbeat(s, j.id(), j.lease().token(), Duration.ofSeconds(1 + st.b() % 60), now);
            }
          }
          case 8 -> now = now.plus(Duration.ofMillis(st.a() * 50L));
          default -> {
            List<Job> live = new ArrayList<>(s.liveJobs());
            if (!live.isEmpty() && st.b() % 5 == 0) {
              live.sort(Comparator.comparingLong(Job::seq));
              m.cancel(s, live.get(st.a() % live.size()).id(), now);
            }
          }
        }
      } catch (LeaseRejectedException | JobNotFoundException expected) {
        // stale leases and finished jobs are rejected: that is the rule under test
      }
      checkInvariants(s, now, created);
    }
    // the encoding round-trips exactly
    byte[] once = StateCodec.encode(s);
    byte[] twice = StateCodec.encode(StateCodec.decode(once));
    assertThat(new String(twice)).isEqualTo(new String(once));
  }

  private static void checkInvariants(QueueState s, Instant now, long created) {
    Set<String> tokens = new HashSet<>();
    int leased = 0;
    for (Job j : s.liveJobs()) {
      assertThat(j.status()).isIn(JobStatus.QUEUED, JobStatus.LEASED);
      if (j.status() == JobStatus.LEASED) {
        leased++;
        // one job, one lease; no two live leases share a token
        assertThat(tokens.add(j.lease().token())).isTrue();
        assertThat(j.attempts()).isBetween(1, j.maxAttempts());
      }
    }
    assertThat(s.leased).hasSize(leased);
    assertThat(s.ready.size() + s.scheduled.size() + s.leased.size()).isEqualTo(s.live.size());
    // nothing acknowledged is lost: every created job is live or finished
    assertThat(s.live.size() + s.finished.size()).isEqualTo(created);
    QueueCounters c = s.counters;
    assertThat(c.completed + c.dead + c.cancelled).isEqualTo(s.finished.size());
    for (Job j : s.finished) {
      assertThat(j.status().isFinished()).isTrue();
    }
  }

  @Property(tries = 50)
  void fifoWithinAPriority(
      @ForAll @Size(min = 1, max = 60)
          List<@net.jqwik.api.constraints.IntRange(min = 0, max = 2) Integer> priorities) {
    QueueStateMachine m = new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));
    QueueState s = QueueState.empty();
    Instant now = Instant.parse("2026-11-25T00:00:00Z");
    for (int p : priorities) {
      m.push(s, PushRequest.of("1").withPriority(p), now);
      now = now.plusMillis(1);
    }
    List<Job> order = new ArrayList<>();
    List<Job> got;
    while (!(got = m.claim(s, ClaimRequest.one("w"), now)).isEmpty()) {
      order.addAll(got);
    }
    assertThat(order).hasSize(priorities.size());
    for (int i = 1; i < order.size(); i++) {
      Job prev = order.get(i - 1);
      Job cur = order.get(i);
      assertThat(prev.priority()).isGreaterThanOrEqualTo(cur.priority());
      if (prev.priority() == cur.priority()) {
        assertThat(prev.seq()).isLessThan(cur.seq());
      }
    }
  }
}
