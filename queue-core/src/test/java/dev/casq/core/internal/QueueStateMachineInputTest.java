package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.PayloadTooLargeException;
import dev.casq.core.QueuePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Hostile values in requests are refused at validation, before anything changes. */
class QueueStateMachineInputTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private final QueueStateMachine m =
      new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("tok"));
  private final QueueState s = QueueState.empty();

  @Test
  void aRunAtBeyondTheWindowIsRefusedAndChangesNothing() {
    Instant farFuture = Instant.parse("+999999999-01-01T00:00:00Z");
    assertRefusedWithoutChange(PushRequest.of("{}").withRunAt(farFuture));
    assertRefusedWithoutChange(PushRequest.of("{}").withRunAt(Instant.MAX));
    assertRefusedWithoutChange(PushRequest.of("{}").withRunAt(Instant.MIN));
    assertRefusedWithoutChange(
        PushRequest.of("{}").withRunAt(Instant.parse("1999-12-31T23:59:59Z")));
    assertRefusedWithoutChange(
        PushRequest.of("{}").withRunAt(NOW.plus(QueuePolicy.MAX_SCHEDULE_AHEAD).plusNanos(1)));
  }

  @Test
  void runAtAtTheEdgesOfTheWindowIsAccepted() {
    m.push(s, PushRequest.of("1").withRunAt(QueuePolicy.MIN_RUN_AT), NOW);
    m.push(s, PushRequest.of("2").withRunAt(NOW.plus(QueuePolicy.MAX_SCHEDULE_AHEAD)), NOW);
    assertThat(s.liveJobs())
        .extracting(Job::runAt)
        .containsExactlyInAnyOrder(
            QueuePolicy.MIN_RUN_AT, NOW.plus(QueuePolicy.MAX_SCHEDULE_AHEAD));
    assertThat(StateCodec.decode(StateCodec.encode(s)).liveJobs()).hasSize(2);
  }

  @Test
  void aDelayThatWouldOverflowIsRefusedAndChangesNothing() {
    assertRefusedWithoutChange(PushRequest.of("{}").withDelay(Duration.ofSeconds(Long.MAX_VALUE)));
    assertRefusedWithoutChange(
        PushRequest.of("{}").withDelay(QueuePolicy.MAX_SCHEDULE_AHEAD.plusNanos(1)));
    assertRefusedWithoutChange(PushRequest.of("{}").withDelay(Duration.ofNanos(-1)));
    m.push(s, PushRequest.of("{}").withDelay(QueuePolicy.MAX_SCHEDULE_AHEAD), NOW);
    assertThat(s.liveJobs().iterator().next().runAt())
        .isEqualTo(NOW.plus(QueuePolicy.MAX_SCHEDULE_AHEAD));
  }

  @Test
  void loneSurrogatesInTextThatEntersTheStateAreRefused() {
    assertRefusedWithoutChange(PushRequest.of("{}").withType("t\ud800"));
    assertRefusedWithoutChange(PushRequest.of("{}").withIdempotencyKey("k\udc00x"));
    assertRefusedWithoutChange(PushRequest.of("{\"a\":\"\ud800\"}"));
    assertThatThrownBy(() -> m.claim(s, ClaimRequest.one("w\ud83d"), NOW))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> m.claim(s, new ClaimRequest("w", null, 1, Set.of("a", "\udfff")), NOW))
        .isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> m.cancel(s, "j\ud800", NOW))
        .isInstanceOf(InvalidRequestException.class);
    // the state still encodes: the hostile pushes shared no commit with the good ones
    m.push(
        s,
        PushRequest.of("{}").withType("ok \ud83d\ude00").withIdempotencyKey("nul\u0000ctl\u001f"),
        NOW);
    Job back = StateCodec.decode(StateCodec.encode(s)).liveJobs().iterator().next();
    assertThat(back.type()).isEqualTo("ok \ud83d\ude00");
    assertThat(back.idempotencyKey()).isEqualTo("nul\u0000ctl\u001f");
  }

  @Test
  void aFailureMessageIsCutOnACodePointAndLoneSurrogatesAreReplaced() {
    String cut = "a".repeat(QueuePolicy.MAX_ERROR_LENGTH - 1) + "\ud83d\ude00";
    assertThat(failWith(cut)).isEqualTo("a".repeat(QueuePolicy.MAX_ERROR_LENGTH - 1));
    assertThat(failWith("bad \ud800 text \udc00")).isEqualTo("bad \ufffd text \ufffd");
    assertThat(failWith("pair \ud83d\ude00 kept")).isEqualTo("pair \ud83d\ude00 kept");
    StateCodec.decode(StateCodec.encode(s));
  }

  private String failWith(String error) {
    m.push(s, PushRequest.of("{}"), NOW);
    Job job = m.claim(s, ClaimRequest.one("w"), NOW).get(0);
    m.fail(s, job.id(), job.lease().token(), error, false, NOW);
    return s.finished.get(s.finished.size() - 1).lastError();
  }

  @Test
  void aClaimMayNameAtMost64Types() {
    Set<String> types = new HashSet<>();
    for (int i = 0; i <= QueuePolicy.MAX_CLAIM_TYPES; i++) {
      types.add("t" + i);
    }
    assertThatThrownBy(() -> m.claim(s, new ClaimRequest("w", null, 1, types), NOW))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("at most 64 types");
    types.remove("t0");
    assertThat(m.claim(s, new ClaimRequest("w", null, 1, types), NOW)).isEmpty();
  }

  @Test
  void aResultIsBoundedLikeAPayload() {
    m.push(s, PushRequest.of("{}"), NOW);
    Job job = m.claim(s, ClaimRequest.one("w"), NOW).get(0);
    String big = "\"" + "x".repeat(QueuePolicy.defaults().maxPayloadBytes()) + "\"";
    long mod = s.modCount;
    assertThatThrownBy(() -> m.complete(s, job.id(), job.lease().token(), big, NOW))
        .isInstanceOf(PayloadTooLargeException.class);
    assertThatThrownBy(() -> m.complete(s, job.id(), job.lease().token(), " ", NOW))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(s.modCount).isEqualTo(mod);
    assertThat(m.complete(s, job.id(), job.lease().token(), " [1] \n", NOW).resultJson())
        .isEqualTo("[1]");
  }

  @Test
  void leasesAndRetriesSaturateInsteadOfOverflowingAtTheEndOfTime() {
    Instant end = Instant.MAX.minusSeconds(1);
    m.push(s, PushRequest.of("{}").withMaxAttempts(3), QueuePolicy.MIN_RUN_AT);
    Job job = m.claim(s, ClaimRequest.one("w"), end).get(0);
    assertThat(job.lease().expiresAt()).isEqualTo(Instant.MAX);
    assertThat(m.heartbeat(s, job.id(), job.lease().token(), Duration.ofHours(1), end).expiresAt())
        .isEqualTo(Instant.MAX);
    assertThat(m.fail(s, job.id(), job.lease().token(), "x", true, end))
        .isEqualTo(JobStatus.QUEUED);
    assertThat(s.liveJobs().iterator().next().runAt()).isEqualTo(Instant.MAX);
    assertThat(StateCodec.decode(StateCodec.encode(s)).liveJobs().iterator().next().runAt())
        .isEqualTo(Instant.MAX);
  }

  @Test
  void backoffNeitherOverflowsNorLoopsForAnyAttemptsCount() {
    QueuePolicy widest =
        new QueuePolicy(
            Duration.ofSeconds(1),
            QueuePolicy.MAX_POLICY_DURATION,
            QueuePolicy.MAX_ATTEMPTS,
            Duration.ofNanos(1),
            QueuePolicy.MAX_POLICY_DURATION,
            QueuePolicy.MAX_POLICY_DURATION,
            QueuePolicy.MIN_IDEMPOTENCY_MEMORY_BUDGET,
            1024);
    for (int attempts : List.of(0, 1, 2, 63, 64, 65, 1000, Integer.MAX_VALUE)) {
      assertThat(widest.backoff(attempts))
          .isBetween(Duration.ofNanos(1), QueuePolicy.MAX_POLICY_DURATION);
    }
    assertThat(widest.backoff(Integer.MAX_VALUE)).isEqualTo(QueuePolicy.MAX_POLICY_DURATION);
    QueuePolicy zeroBase =
        new QueuePolicy(
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            1,
            Duration.ZERO,
            Duration.ofSeconds(1),
            Duration.ZERO,
            QueuePolicy.MIN_IDEMPOTENCY_MEMORY_BUDGET,
            1024);
    assertThat(zeroBase.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ZERO); // returns at once
  }

  @Test
  void policyDurationsAndAttemptsAreBounded() {
    Duration tooLong = QueuePolicy.MAX_POLICY_DURATION.plusNanos(1);
    Duration s1 = Duration.ofSeconds(1);
    long b = QueuePolicy.MIN_IDEMPOTENCY_MEMORY_BUDGET;
    assertThatThrownBy(() -> new QueuePolicy(s1, tooLong, 1, s1, s1, s1, b, 1024))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QueuePolicy(s1, s1, 1, s1, tooLong, s1, b, 1024))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QueuePolicy(s1, s1, 1, s1, s1, tooLong, b, 1024))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new QueuePolicy(s1, s1, QueuePolicy.MAX_ATTEMPTS + 1, s1, s1, s1, b, 1024))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new QueuePolicy(s1, s1, 1, s1, s1, s1, b - 1, 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idempotencyMemoryBudget");
    assertThatThrownBy(
            () ->
                new QueuePolicy(
                    s1, s1, 1, s1, s1, s1, QueuePolicy.MAX_IDEMPOTENCY_MEMORY_BUDGET + 1, 1024))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idempotencyMemoryBudget");
  }

  private void assertRefusedWithoutChange(PushRequest r) {
    m.tick(s, NOW);
    byte[] before = StateCodec.encode(s);
    long seq = s.nextSeq;
    long mod = s.modCount;
    assertThatThrownBy(() -> m.push(s, r, NOW)).isInstanceOf(InvalidRequestException.class);
    assertThat(s.nextSeq).isEqualTo(seq);
    assertThat(s.modCount).isEqualTo(mod);
    assertThat(StateCodec.encode(s)).isEqualTo(before);
  }
}
