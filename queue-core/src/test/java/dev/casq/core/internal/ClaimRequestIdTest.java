package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.InvalidRequestException;
import dev.casq.core.QueuePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A claim retried with its request id (its first answer lost) gets the lease it was given, not a
 * second job; the id travels with the lease in the queue object.
 */
class ClaimRequestIdTest {
  private static final Instant NOW = Instant.parse("2026-12-02T02:00:00Z");
  private final QueueStateMachine m =
      new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("tok"));
  private final QueueState s = QueueState.empty();

  private void push(int n) {
    for (int i = 0; i < n; i++) {
      m.push(s, PushRequest.of("{\"n\":" + i + "}"), NOW);
    }
  }

  private static ClaimRequest claim(String worker, int limit, String requestId) {
    return new ClaimRequest(worker, Duration.ofSeconds(30), limit, Set.of(), requestId);
  }

  @Test
  void aRetriedClaimGetsTheSameLeaseAndLeasesNothingElse() {
    push(3);
    List<Job> first = m.claim(s, claim("w", 1, "r-1"), NOW);
    List<Job> retry = m.claim(s, claim("w", 1, "r-1"), NOW.plusMillis(500));

    assertThat(retry).hasSize(1);
    assertThat(retry.get(0).id()).isEqualTo(first.get(0).id());
    assertThat(retry.get(0).lease()).isEqualTo(first.get(0).lease());
    assertThat(s.counters.claimed).isEqualTo(1);
    assertThat(s.leased).hasSize(1);
    assertThat(s.ready).hasSize(2);
  }

  @Test
  void aBatchClaimIsReturnedWholeInClaimOrder() {
    push(5);
    List<Job> first = m.claim(s, claim("w", 3, "batch"), NOW);
    List<Job> retry = m.claim(s, claim("w", 3, "batch"), NOW);
    assertThat(retry)
        .extracting(Job::id)
        .containsExactlyElementsOf(first.stream().map(Job::id).toList());
    assertThat(s.counters.claimed).isEqualTo(3);
  }

  @Test
  void anotherIdOrAnotherWorkerOrNoIdLeasesAnotherJob() {
    push(4);
    String a = m.claim(s, claim("w", 1, "r-1"), NOW).get(0).id();
    String b = m.claim(s, claim("w", 1, "r-2"), NOW).get(0).id();
    String c = m.claim(s, claim("other", 1, "r-1"), NOW).get(0).id();
    String d = m.claim(s, claim("w", 1, null), NOW).get(0).id();
    assertThat(List.of(a, b, c, d)).doesNotHaveDuplicates();
    assertThat(s.counters.claimed).isEqualTo(4);
  }

  @Test
  void onceTheLeaseEndedTheSameIdClaimsAfresh() {
    push(2);
    Job first = m.claim(s, claim("w", 1, "r-1"), NOW).get(0);
    m.complete(s, first.id(), first.lease().token(), null, NOW);
    Job next = m.claim(s, claim("w", 1, "r-1"), NOW).get(0);
    assertThat(next.id()).isNotEqualTo(first.id());

    // an expired lease is not returned either: the job is claimable again, with a new token
    Job again = m.claim(s, claim("w", 1, "r-1"), NOW.plusSeconds(31)).get(0);
    assertThat(again.id()).isEqualTo(next.id());
    assertThat(again.lease().token()).isNotEqualTo(next.lease().token());
    assertThat(again.attempts()).isEqualTo(2);
  }

  @Test
  void aHeartbeatKeepsTheRequestIdSoALaterRetryStillFindsTheLease() {
    push(2);
    Job first = m.claim(s, claim("w", 1, "r-1"), NOW).get(0);
    Lease renewed = m.heartbeat(s, first.id(), first.lease().token(), Duration.ofMinutes(5), NOW);
    assertThat(renewed.requestId()).isEqualTo("r-1");
    List<Job> retry = m.claim(s, claim("w", 1, "r-1"), NOW.plusSeconds(60));
    assertThat(retry).extracting(Job::id).containsExactly(first.id());
    assertThat(retry.get(0).lease().expiresAt()).isEqualTo(renewed.expiresAt());
  }

  @Test
  void theRequestIdSurvivesTheQueueObjectSoAFailoverStillFindsTheLease() {
    push(2);
    Job first = m.claim(s, claim("w", 1, "r-1"), NOW).get(0);
    byte[] doc = StateCodec.encode(s);
    assertThat(new String(doc, java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"requestId\":\"r-1\"");

    QueueState read = StateCodec.decode(doc);
    QueueStateMachine successor =
        new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("other"));
    List<Job> retry = successor.claim(read, claim("w", 1, "r-1"), NOW.plusSeconds(1));
    assertThat(retry).extracting(Job::id).containsExactly(first.id());
    assertThat(retry.get(0).lease().token()).isEqualTo(first.lease().token());
    assertThat(read.ready).hasSize(1);
  }

  @Test
  void aLeaseWithoutARequestIdEncodesAsBefore() {
    push(1);
    m.claim(s, ClaimRequest.one("w"), NOW);
    assertThat(new String(StateCodec.encode(s), java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("requestId");
    assertThat(StateCodec.decode(StateCodec.encode(s)).leased.first().lease().requestId()).isNull();
  }

  @Test
  void aBadRequestIdIsRefusedAndChangesNothing() {
    push(1);
    byte[] before = StateCodec.encode(s);
    for (String bad :
        List.of("", "  ", "x".repeat(QueuePolicy.MAX_CLAIM_REQUEST_ID_LENGTH + 1), "r\ud800")) {
      assertThatThrownBy(() -> m.claim(s, claim("w", 1, bad), NOW))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("requestId");
    }
    assertThat(StateCodec.encode(s)).isEqualTo(before);
    assertThat(m.claim(s, claim("w", 1, "x".repeat(QueuePolicy.MAX_CLAIM_REQUEST_ID_LENGTH)), NOW))
        .hasSize(1);
  }

  @Test
  void amongManyClaimsEachRetryFindsExactlyTheLeasesItsClaimStillHolds() {
    push(2_000);
    java.util.Map<String, List<Job>> byRequest = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      String worker = "w" + (i % 7);
      byRequest.put(worker + "/r-" + i, m.claim(s, claim(worker, 10, "r-" + i), NOW));
    }
    java.util.Set<String> ended = new java.util.HashSet<>();
    int k = 0;
    for (List<Job> jobs : byRequest.values()) {
      Job j = jobs.get(k++ % jobs.size());
      switch (k % 4) {
        case 0 -> m.complete(s, j.id(), j.lease().token(), null, NOW);
        case 1 -> m.release(s, j.id(), j.lease().token(), NOW);
        case 2 -> m.cancel(s, j.id(), NOW);
        default -> m.fail(s, j.id(), j.lease().token(), "x", true, NOW);
      }
      ended.add(j.id());
    }
    QueueState decoded = StateCodec.decode(StateCodec.encode(s));
    for (QueueState state : List.of(s, decoded)) {
      long claimed = state.counters.claimed;
      byRequest.forEach(
          (mark, jobs) -> {
            String worker = mark.substring(0, mark.indexOf('/'));
            String requestId = mark.substring(mark.indexOf('/') + 1);
            List<Job> retry = m.claim(state, claim(worker, 10, requestId), NOW.plusSeconds(1));
            assertThat(retry)
                .extracting(Job::id)
                .containsExactlyElementsOf(
                    jobs.stream().map(Job::id).filter(id -> !ended.contains(id)).toList());
            assertThat(retry)
                .extracting(Job::lease)
                .containsExactlyElementsOf(
                    jobs.stream().filter(j -> !ended.contains(j.id())).map(Job::lease).toList());
          });
      assertThat(state.counters.claimed).isEqualTo(claimed);
    }
  }
}
