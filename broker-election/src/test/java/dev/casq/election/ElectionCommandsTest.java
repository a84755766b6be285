package dev.casq.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.core.QueuePolicy;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.FencedException;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.QueueStateMachine;
import dev.casq.core.internal.Tokens;
import dev.casq.storage.tck.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The election commands and guards as pure functions of (state, now). */
class ElectionCommandsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration STALE = Duration.ofSeconds(10);
  private static final ElectionOptions OPTIONS = ElectionOptions.defaults();
  private static final ElectionOptions QUICK =
      new ElectionOptions(Duration.ofMillis(250), Duration.ofMillis(1500));

  private final QueueStateMachine machine =
      new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));

  private QueueState stateWith(BrokerRecord broker) {
    QueueState s = QueueState.empty();
    if (broker != null) {
      machine.setBroker(s, broker);
    }
    return s;
  }

  private static ClaimBrokerCommand claimBy(String id) {
    return new ClaimBrokerCommand(id, "http://" + id + ":8080", OPTIONS);
  }

  @Test
  void claimsAQueueWithoutBrokerAtEpochOne() {
    QueueState s = stateWith(null);
    BrokerRecord r = claimBy("b1").apply(s, machine, T0);
    assertThat(r)
        .isEqualTo(
            new BrokerRecord(
                "b1", "http://b1:8080", 1, T0, Duration.ofSeconds(2), Duration.ofSeconds(10)));
    assertThat(s.broker()).isEqualTo(r);
  }

  @Test
  void theClaimDeclaresTheClaimingBrokersHeartbeatIntervalAndStaleness() {
    QueueState s = stateWith(null);
    BrokerRecord r = new ClaimBrokerCommand("q", "http://q:1", QUICK).apply(s, machine, T0);
    assertThat(r.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(r.staleAfter()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.broker()).isEqualTo(r);
  }

  @Test
  void theClaimJudgesTheRecordedBrokerByTheStalenessItDeclaredNotItsOwn() {
    // the recorded broker declared 1.5s; the claiming broker's own setting is 10s
    BrokerRecord quick =
        new BrokerRecord("a", "http://a:8080", 4, T0)
            .declaring(Duration.ofMillis(250), Duration.ofMillis(1500));
    QueueState s = stateWith(quick);
    assertThatThrownBy(() -> claimBy("b").apply(s, machine, T0.plusMillis(1499)))
        .isInstanceOf(BrokerActiveException.class);
    assertThat(claimBy("b").apply(s, machine, T0.plusMillis(1500)).epoch()).isEqualTo(5);

    // and a broker that declared 1h is not taken over after the claimant's 10s
    QueueState slow =
        stateWith(
            new BrokerRecord("a", "http://a:8080", 4, T0)
                .declaring(Duration.ofMinutes(10), Duration.ofHours(1)));
    assertThatThrownBy(
            () ->
                new ClaimBrokerCommand("b", "http://b", QUICK)
                    .apply(slow, machine, T0.plusSeconds(11)))
        .isInstanceOf(BrokerActiveException.class);
  }

  @Test
  void refusesWhileTheRecordedBrokerIsFresh() {
    BrokerRecord live = new BrokerRecord("a", "http://a:8080", 4, T0);
    QueueState s = stateWith(live);
    Instant justBeforeStale = T0.plus(STALE).minusMillis(1);
    assertThatThrownBy(() -> claimBy("b").apply(s, machine, justBeforeStale))
        .isInstanceOfSatisfying(
            BrokerActiveException.class, e -> assertThat(e.activeBroker()).isEqualTo(live))
        .hasMessageContaining("http://a:8080");
    assertThat(s.broker()).isEqualTo(live);
  }

  @Test
  void takesOverAStaleBrokerWithTheNextEpoch() {
    QueueState s = stateWith(new BrokerRecord("a", "http://a:8080", 4, T0));
    Instant staleAt = T0.plus(STALE);
    BrokerRecord r = claimBy("b").apply(s, machine, staleAt);
    assertThat(r)
        .isEqualTo(
            new BrokerRecord(
                "b",
                "http://b:8080",
                5,
                staleAt,
                OPTIONS.heartbeatInterval(),
                OPTIONS.staleAfter()));
    assertThat(s.broker()).isEqualTo(r);
  }

  @Test
  void aRestartedBrokerWithTheSameIdReclaimsAtOnceWithANewEpoch() {
    QueueState s = stateWith(new BrokerRecord("a", "http://a:8080", 2, T0));
    BrokerRecord r =
        new ClaimBrokerCommand("a", "http://a:9090", OPTIONS).apply(s, machine, T0.plusSeconds(1));
    assertThat(r.epoch()).isEqualTo(3);
    assertThat(r.address()).isEqualTo("http://a:9090");
  }

  @Test
  void aResignedBrokerCanBeReplacedImmediately() {
    BrokerRecord held = new BrokerRecord("a", "http://a:8080", 7, T0);
    QueueState s = stateWith(held);
    BrokerRecord resigned = new ResignBrokerCommand(held).apply(s, machine, T0.plusSeconds(1));
    assertThat(resigned.heartbeatAt()).isEqualTo(ResignBrokerCommand.RESIGNED);
    assertThat(resigned.epoch()).isEqualTo(7);
    BrokerRecord next = claimBy("b").apply(s, machine, T0.plusSeconds(1));
    assertThat(next.epoch()).isEqualTo(8);
  }

  @Test
  void aHeartbeatLandingAfterTheResignationLeavesTheRecordResigned() {
    BrokerRecord held = new BrokerRecord("a", "http://a:8080", 7, T0);
    QueueState s = stateWith(held);
    new ResignBrokerCommand(held).apply(s, machine, T0.plusSeconds(1));
    BrokerRecord r = new BrokerHeartbeatCommand(held).apply(s, machine, T0.plusSeconds(2));
    assertThat(r.heartbeatAt()).isEqualTo(ResignBrokerCommand.RESIGNED);
    assertThat(s.broker().heartbeatAt()).isEqualTo(ResignBrokerCommand.RESIGNED);
    assertThat(s.broker().epoch()).isEqualTo(7);
  }

  @Test
  void claimRejectsBadArguments() {
    assertThatThrownBy(() -> new ClaimBrokerCommand("", "http://x", OPTIONS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClaimBrokerCommand("a", " ", OPTIONS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ClaimBrokerCommand("a", "http://x", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void heartbeatRefreshesOnlyTheHoldingBroker() {
    BrokerRecord held = new BrokerRecord("a", "http://a:8080", 3, T0);
    QueueState s = stateWith(held);
    Instant later = T0.plusSeconds(2);
    BrokerRecord r = new BrokerHeartbeatCommand(held).apply(s, machine, later);
    assertThat(r).isEqualTo(held.withHeartbeat(later));
    assertThat(s.broker()).isEqualTo(r);
    // the command identifies the broker by id and epoch, not by the heartbeat it last saw
    assertThat(
            new BrokerHeartbeatCommand(held).apply(s, machine, later.plusSeconds(2)).heartbeatAt())
        .isEqualTo(later.plusSeconds(2));
  }

  @Test
  void heartbeatKeepsDeclaringTheTimingTheBrokerClaimedWith() {
    QueueState s = stateWith(null);
    BrokerRecord held = new ClaimBrokerCommand("q", "http://q:1", QUICK).apply(s, machine, T0);
    // a record rewritten without the fields (e.g. by an earlier version) gets them back
    machine.setBroker(s, new BrokerRecord("q", "http://q:1", held.epoch(), T0));
    BrokerRecord r = new BrokerHeartbeatCommand(held).apply(s, machine, T0.plusMillis(250));
    assertThat(r.heartbeatAt()).isEqualTo(T0.plusMillis(250));
    assertThat(r.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(r.staleAfter()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void heartbeatOfAReplacedBrokerIsFencedAndChangesNothing() {
    BrokerRecord held = new BrokerRecord("a", "http://a:8080", 3, T0);
    BrokerRecord newer = new BrokerRecord("b", "http://b:8080", 4, T0.plusSeconds(11));
    QueueState s = stateWith(newer);
    assertThatThrownBy(() -> new BrokerHeartbeatCommand(held).apply(s, machine, T0))
        .isInstanceOfSatisfying(
            FencedException.class, e -> assertThat(e.currentBroker()).contains(newer));
    assertThat(s.broker()).isEqualTo(newer);

    QueueState none = stateWith(null);
    assertThatThrownBy(() -> new BrokerHeartbeatCommand(held).apply(none, machine, T0))
        .isInstanceOf(FencedException.class);
    assertThat(none.broker()).isNull();
  }

  @Test
  void epochGuardPassesOnlyForTheSameIdAndEpoch() {
    BrokerRecord held = new BrokerRecord("a", "http://a:8080", 3, T0);
    EpochGuard guard = new EpochGuard(held);
    guard.check(stateWith(held.withHeartbeat(T0.plusSeconds(5)))); // own record, later heartbeat

    assertThatThrownBy(() -> guard.check(stateWith(null))).isInstanceOf(FencedException.class);
    assertThatThrownBy(() -> guard.check(stateWith(new BrokerRecord("b", "http://b", 4, T0))))
        .isInstanceOf(FencedException.class);
    assertThatThrownBy(() -> guard.check(stateWith(new BrokerRecord("b", "http://b", 3, T0))))
        .isInstanceOf(FencedException.class);
    // the same id at a newer epoch is a restarted incarnation: this one is fenced
    assertThatThrownBy(() -> guard.check(stateWith(new BrokerRecord("a", "http://a", 4, T0))))
        .isInstanceOf(FencedException.class);
  }

  @Test
  void candidateGuardRefusesToWriteOverALiveBroker() {
    ManualClock clock = new ManualClock(T0);
    CandidateGuard guard = new CandidateGuard("b", STALE, clock);
    guard.check(stateWith(null));
    guard.check(stateWith(new BrokerRecord("b", "http://b", 1, T0)));
    QueueState live = stateWith(new BrokerRecord("a", "http://a", 1, T0));
    assertThatThrownBy(() -> guard.check(live)).isInstanceOf(FencedException.class);
    clock.advance(STALE);
    guard.check(live);

    // a broker that declared 1.5s is stale after 1.5s for a candidate configured with 10s
    ManualClock later = new ManualClock(T0);
    CandidateGuard candidate = new CandidateGuard("b", STALE, later);
    QueueState quick =
        stateWith(
            new BrokerRecord("a", "http://a", 1, T0)
                .declaring(Duration.ofMillis(250), Duration.ofMillis(1500)));
    later.advance(Duration.ofMillis(1499));
    assertThatThrownBy(() -> candidate.check(quick)).isInstanceOf(FencedException.class);
    later.advance(Duration.ofMillis(1));
    candidate.check(quick);
  }

  @Test
  void electionOptionsAreValidated() {
    assertThat(ElectionOptions.defaults())
        .isEqualTo(new ElectionOptions(Duration.ofSeconds(2), Duration.ofSeconds(10)));
    assertThatThrownBy(() -> new ElectionOptions(Duration.ofSeconds(2), Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 3 heartbeat intervals");
    assertThatThrownBy(() -> new ElectionOptions(Duration.ofMillis(5), Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 10ms");
    new ElectionOptions(Duration.ofMillis(100), Duration.ofMillis(300));
    assertThatThrownBy(() -> new ElectionOptions(Duration.ofSeconds(2), Duration.ofMinutes(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most 60m");
    new ElectionOptions(Duration.ofSeconds(2), Duration.ofHours(1));
  }

  @Test
  void queueNamesComeFromTheObjectName() {
    assertThat(QueueNames.defaultName("s3://bucket/queues/emails.json")).isEqualTo("emails");
    assertThat(QueueNames.defaultName("file:///tmp/casq/orders.JSON")).isEqualTo("orders");
    assertThat(QueueNames.defaultName("mem://test/q1")).isEqualTo("q1");
    assertThat(QueueNames.defaultName("gs://b/a/v2.queue.json")).isEqualTo("v2.queue");
    assertThatThrownBy(() -> QueueNames.defaultName("s3://bucket/%20.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name the queue explicitly");
    assertThatThrownBy(() -> QueueNames.validate("../x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(QueueNames.isValid("emails-2")).isTrue();
  }
}
