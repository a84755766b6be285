package dev.casq.election;

import static dev.casq.election.TakeoverDecision.Verdict.ALIVE;
import static dev.casq.election.TakeoverDecision.Verdict.TAKE_OVER;
import static dev.casq.election.TakeoverDecision.Verdict.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.core.internal.BrokerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The takeover rule, every probe answer against every heartbeat, without I/O. */
class TakeoverRuleTest {
  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  private static final Duration STALE_AFTER = Duration.ofSeconds(10);
  private static final BrokerRecord FRESH =
      new BrokerRecord("a", "http://h:1", 3, NOW.minusSeconds(2));
  private static final BrokerRecord STALE = FRESH.withHeartbeat(NOW.minusSeconds(10));
  private static final BrokerRecord RESIGNED = FRESH.withHeartbeat(ResignBrokerCommand.RESIGNED);

  private static ProbeResult health(int status, String json) {
    return ProbeResult.ofHealth(status, json.getBytes(StandardCharsets.UTF_8), "q");
  }

  /** Every probe answer the rule must tell apart, and whether it confirms broker "a". */
  private static Map<String, ProbeResult> answers() {
    Map<String, ProbeResult> m = new LinkedHashMap<>();
    m.put("refused", ProbeResult.refused("connection refused"));
    m.put("timeout", ProbeResult.timedOut("no answer"));
    m.put("not asked", ProbeResult.notAsked());
    m.put(
        "200 same id",
        health(
            200,
            "{\"status\":\"ok\",\"brokerId\":\"a\",\"address\":\"x\","
                + "\"queues\":{\"q\":{\"status\":\"serving\",\"epoch\":3,\"revision\":9,"
                + "\"engine\":{\"state\":\"serving\"}}},\"future\":[1,2]}"));
    m.put("200 same id, no queues listed", health(200, "{\"status\":\"ok\",\"brokerId\":\"a\"}"));
    m.put("200 other id", health(200, "{\"status\":\"ok\",\"brokerId\":\"b\"}"));
    m.put("200 no id", health(200, "{\"status\":\"ok\"}"));
    m.put(
        "200 queue closed (resigned)",
        health(
            200,
            "{\"status\":\"ok\",\"brokerId\":\"a\","
                + "\"queues\":{\"q\":{\"status\":\"closed\"},\"other\":{\"status\":\"serving\"}}}"));
    m.put(
        "200 queue fenced",
        health(
            200,
            "{\"status\":\"ok\",\"brokerId\":\"a\","
                + "\"queues\":{\"q\":{\"status\":\"fenced\",\"epoch\":null}}}"));
    m.put("503 stopping", health(503, "{\"status\":\"stopping\",\"brokerId\":\"a\"}"));
    m.put("503 fenced", health(503, "{\"status\":\"fenced\",\"brokerId\":\"a\"}"));
    m.put("garbage", health(200, "<html>hello</html>"));
    m.put("empty body", health(200, ""));
    m.put("JSON array", health(200, "[1]"));
    return m;
  }

  private static boolean confirming(String name) {
    return name.startsWith("200 same id");
  }

  @Test
  void freshAndConfirmedIsAliveFreshButUnconfirmedWaits() {
    answers()
        .forEach(
            (name, probe) -> {
              TakeoverDecision d = TakeoverRule.decide(FRESH, probe, NOW, STALE_AFTER);
              assertThat(d.verdict()).as(name).isEqualTo(confirming(name) ? ALIVE : WAIT);
            });
  }

  @Test
  void staleAndUnconfirmedIsTakenOverStaleButConfirmedIsNeverDisplaced() {
    answers()
        .forEach(
            (name, probe) -> {
              TakeoverDecision d = TakeoverRule.decide(STALE, probe, NOW, STALE_AFTER);
              assertThat(d.verdict()).as(name).isEqualTo(confirming(name) ? WAIT : TAKE_OVER);
            });
  }

  @Test
  void noBrokerOrAResignedOneIsTakenOverWhateverTheAddressSays() {
    answers()
        .forEach(
            (name, probe) -> {
              assertThat(TakeoverRule.decide(null, probe, NOW, STALE_AFTER).verdict())
                  .as(name)
                  .isEqualTo(TAKE_OVER);
              assertThat(TakeoverRule.decide(RESIGNED, probe, NOW, STALE_AFTER).verdict())
                  .as(name)
                  .isEqualTo(TAKE_OVER);
            });
  }

  @Test
  void stalenessStartsExactlyAtStaleAfter() {
    ProbeResult silent = ProbeResult.refused("x");
    BrokerRecord justFresh = FRESH.withHeartbeat(NOW.minus(STALE_AFTER).plusMillis(1));
    assertThat(TakeoverRule.decide(justFresh, silent, NOW, STALE_AFTER).verdict()).isEqualTo(WAIT);
    assertThat(TakeoverRule.decide(STALE, silent, NOW, STALE_AFTER).verdict()).isEqualTo(TAKE_OVER);
    assertThat(TakeoverRule.probeNeeded(justFresh, NOW, STALE_AFTER)).isFalse();
    assertThat(TakeoverRule.probeNeeded(STALE, NOW, STALE_AFTER)).isTrue();
    assertThat(TakeoverRule.probeNeeded(RESIGNED, NOW, STALE_AFTER)).isFalse();
    assertThat(TakeoverRule.probeNeeded(null, NOW, STALE_AFTER)).isFalse();
  }

  /** A record whose broker declared {@code staleAfter}, heartbeat {@code age} before NOW. */
  private static BrokerRecord declaring(Duration staleAfter, Duration age) {
    return FRESH.withHeartbeat(NOW.minus(age)).declaring(Duration.ofMillis(250), staleAfter);
  }

  @Test
  void theStalenessTheRecordDeclaresOverridesTheReadersDefault() {
    ProbeResult silent = ProbeResult.refused("connection refused");
    Duration declared = Duration.ofMillis(1500);
    // the reader's default is 10s; the record says 1.5s
    assertThat(
            TakeoverRule.decide(
                    declaring(declared, Duration.ofMillis(1499)), silent, NOW, STALE_AFTER)
                .verdict())
        .isEqualTo(WAIT);
    assertThat(
            TakeoverRule.decide(
                    declaring(declared, Duration.ofMillis(1500)), silent, NOW, STALE_AFTER)
                .verdict())
        .isEqualTo(TAKE_OVER);
    assertThat(
            TakeoverRule.decide(
                    declaring(declared, Duration.ofMillis(1501)), silent, NOW, STALE_AFTER)
                .verdict())
        .isEqualTo(TAKE_OVER);
    assertThat(
            TakeoverRule.probeNeeded(
                declaring(declared, Duration.ofMillis(1501)), NOW, STALE_AFTER))
        .isTrue();
    // and the other way: a record declaring 30s is not stale after the reader's 10s
    assertThat(
            TakeoverRule.decide(
                    declaring(Duration.ofSeconds(30), Duration.ofSeconds(11)),
                    silent,
                    NOW,
                    STALE_AFTER)
                .verdict())
        .isEqualTo(WAIT);
    // a stale record whose broker still answers is still never displaced
    assertThat(
            TakeoverRule.decide(
                    declaring(declared, Duration.ofSeconds(5)),
                    answers().get("200 same id"),
                    NOW,
                    STALE_AFTER)
                .verdict())
        .isEqualTo(WAIT);
  }

  @Test
  void aRecordWithoutDeclaredStalenessIsJudgedWithTheReadersDefault() {
    ProbeResult silent = ProbeResult.refused("connection refused");
    BrokerRecord old = FRESH.withHeartbeat(NOW.minusMillis(9_999));
    assertThat(old.staleAfter()).isNull();
    assertThat(TakeoverRule.decide(old, silent, NOW, STALE_AFTER).verdict()).isEqualTo(WAIT);
    assertThat(TakeoverRule.decide(old, silent, NOW, Duration.ofMillis(9_999)).verdict())
        .isEqualTo(TAKE_OVER);
    assertThat(Staleness.staleAfter(old, STALE_AFTER)).isEqualTo(STALE_AFTER);
  }

  @Test
  void absurdDeclaredStalenessIsBoundedTo100msAndOneHour() {
    ProbeResult silent = ProbeResult.refused("connection refused");
    for (Duration tiny :
        new Duration[] {
          Duration.ofMillis(1),
          Duration.ZERO,
          Duration.ofMillis(-5_000),
          Duration.ofMillis(Long.MIN_VALUE)
        }) {
      assertThat(Staleness.staleAfter(declaring(tiny, Duration.ZERO), STALE_AFTER))
          .as("%s", tiny)
          .isEqualTo(Duration.ofMillis(100));
      assertThat(
              TakeoverRule.decide(declaring(tiny, Duration.ofMillis(99)), silent, NOW, STALE_AFTER)
                  .verdict())
          .as("%s, 99ms old", tiny)
          .isEqualTo(WAIT);
      assertThat(
              TakeoverRule.decide(declaring(tiny, Duration.ofMillis(100)), silent, NOW, STALE_AFTER)
                  .verdict())
          .as("%s, 100ms old", tiny)
          .isEqualTo(TAKE_OVER);
    }
    for (Duration huge :
        new Duration[] {
          Duration.ofDays(3650), Duration.ofMillis(Long.MAX_VALUE), Duration.ofMinutes(61)
        }) {
      assertThat(Staleness.staleAfter(declaring(huge, Duration.ZERO), STALE_AFTER))
          .as("%s", huge)
          .isEqualTo(Duration.ofHours(1));
      assertThat(
              TakeoverRule.decide(declaring(huge, Duration.ofMinutes(59)), silent, NOW, STALE_AFTER)
                  .verdict())
          .as("%s, 59m old", huge)
          .isEqualTo(WAIT);
      assertThat(
              TakeoverRule.decide(declaring(huge, Duration.ofHours(1)), silent, NOW, STALE_AFTER)
                  .verdict())
          .as("%s, 1h old", huge)
          .isEqualTo(TAKE_OVER);
    }
    assertThat(Staleness.staleAt(declaring(Duration.ofMillis(1500), Duration.ZERO), STALE_AFTER))
        .isEqualTo(NOW.plusMillis(1500));
  }

  @Test
  void reasonsSayWhatTheAddressAnswered() {
    assertThat(TakeoverRule.decide(STALE, answers().get("200 other id"), NOW, STALE_AFTER).reason())
        .contains("another broker (b)");
    assertThat(TakeoverRule.decide(STALE, answers().get("garbage"), NOW, STALE_AFTER).reason())
        .contains("no casq health answer");
    assertThat(TakeoverRule.decide(null, ProbeResult.notAsked(), NOW, STALE_AFTER).reason())
        .contains("no broker is recorded");
  }

  @Test
  void theHealthAnswerIsReadLeniently() {
    ProbeResult r = answers().get("200 same id");
    assertThat(r.outcome()).isEqualTo(ProbeResult.Outcome.ANSWERED);
    assertThat(r.brokerId()).isEqualTo("a");
    assertThat(r.status()).isEqualTo("ok");
    assertThat(r.queueStatus()).isEqualTo("serving");
    assertThat(health(200, "{\"brokerId\":7,\"status\":{\"x\":1}}").brokerId()).isNull();
    assertThat(answers().get("garbage").outcome()).isEqualTo(ProbeResult.Outcome.UNREADABLE);
  }
}
