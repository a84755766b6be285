package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.api.QueueException;
import dev.casq.core.QueuePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A command that throws changes nothing, and what it throws is a {@link QueueException}: the engine
 * fails that caller alone and the batch it shared goes on. A command that succeeds leaves a state
 * that still encodes and decodes.
 */
class CommandIsolationPropertiesTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  /** A hostile request: which command, and the raw material for its arguments. */
  record Hostile(int op, String text, Instant instant, Duration duration, int number, int pick) {}

  @Property(tries = 1000)
  void aCommandThatThrowsLeavesTheStateAsItWas(
      @ForAll("setups") List<Integer> setup,
      @ForAll("hostile") Hostile h,
      @ForAll("nows") Instant now) {
    QueueStateMachine m = new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("tok"));
    QueueState s = QueueState.empty();
    List<Job> leases = build(m, s, setup);
    m.tick(s, now); // the engine applies the passage of time before the batch's commands
    byte[] before = StateCodec.encode(s);
    long seq = s.nextSeq;
    long mod = s.modCount;
    Map<String, String> keys = keys(s);
    int ready = s.readyCount();
    int scheduled = s.scheduledCount();
    int leased = s.leasedCount();
    try {
      apply(m, s, h, leases, now);
    } catch (RuntimeException e) {
      assertThat(e).isInstanceOf(QueueException.class);
      assertThat(s.nextSeq).isEqualTo(seq);
      assertThat(s.modCount).isEqualTo(mod);
      assertThat(keys(s)).isEqualTo(keys);
      assertThat(new int[] {s.readyCount(), s.scheduledCount(), s.leasedCount()})
          .containsExactly(ready, scheduled, leased);
      assertThat(StateCodec.encode(s)).isEqualTo(before);
      return;
    }
    StateCodec.decode(StateCodec.encode(s));
  }

  private static Map<String, String> keys(QueueState s) {
    return new LinkedHashMap<>(s.finishedKeys.recentSnapshot());
  }

  /** Builds a state by ordinary commands; returns the jobs it leased (some later finished). */
  private static List<Job> build(QueueStateMachine m, QueueState s, List<Integer> setup) {
    List<Job> leases = new ArrayList<>();
    for (int x : setup) {
      switch (x % 5) {
        case 0, 1 ->
            m.push(
                s,
                PushRequest.of("{\"n\":" + x + "}")
                    .withPriority(x % 3)
                    .withIdempotencyKey("k" + x % 7)
                    .withDelay(Duration.ofSeconds(x % 2 * 60)),
                NOW);
        case 2 -> leases.addAll(m.claim(s, new ClaimRequest("w", null, 2, null), NOW));
        case 3 -> {
          if (!leases.isEmpty()) {
            Job j = leases.get(x % leases.size());
            try {
              m.complete(s, j.id(), j.lease().token(), "[" + x + "]", NOW);
            } catch (QueueException ignored) {
              // already finished: fine for building a state
            }
          }
        }
        default -> {
          if (!leases.isEmpty()) {
            Job j = leases.get(x % leases.size());
            try {
              m.fail(s, j.id(), j.lease().token(), "e" + x, x % 2 == 0, NOW);
            } catch (QueueException ignored) {
              // already finished
            }
          }
        }
      }
    }
    return leases;
  }

  private static void apply(
      QueueStateMachine m, QueueState s, Hostile h, List<Job> leases, Instant now) {
    Job known = leases.isEmpty() ? null : leases.get(h.pick() % leases.size());
    String id = h.pick() % 3 == 0 || known == null ? h.text() : known.id();
    String token = h.pick() % 2 == 0 || known == null ? h.text() : known.lease().token();
    switch (h.op()) {
      case 0 ->
          m.push(
              s,
              PushRequest.of(json(h.pick() % 2 == 0 ? "{}" : h.text())).withRunAt(h.instant()),
              now);
      case 1 ->
          m.push(
              s,
              PushRequest.of("{}")
                  .withDelay(h.duration())
                  .withType(h.pick() % 2 == 0 ? "t" : h.text()),
              now);
      case 2 ->
          m.push(
              s,
              PushRequest.of("[1]")
                  .withIdempotencyKey(h.text())
                  .withPriority(h.number())
                  .withMaxAttempts(h.pick() % 2 == 0 ? 3 : h.number()),
              now);
      case 3 ->
          m.claim(
              s,
              new ClaimRequest(
                  h.pick() % 2 == 0 ? "w" : h.text(),
                  h.duration(),
                  h.pick() % 2 == 0 ? 1 : h.number(),
                  h.pick() % 3 == 0 ? Set.of(h.text()) : Set.of()),
              now);
      case 4 -> m.heartbeat(s, id, token, h.duration(), now);
      case 5 -> m.complete(s, id, token, json(h.pick() % 2 == 0 ? h.text() : "{}"), now);
      case 6 -> m.fail(s, id, token, h.text(), h.pick() % 2 == 0, now);
      case 7 -> m.release(s, id, token, now);
      case 8 -> m.cancel(s, id, now);
      default -> m.get(s, id);
    }
  }

  /** JSON syntax is checked by {@link JobQueue} before a push or complete is submitted. */
  private static String json(String text) {
    JobQueue.validateJson(text);
    return text;
  }

  @Provide
  Arbitrary<List<Integer>> setups() {
    return Arbitraries.integers().between(0, 1000).list().ofMaxSize(30);
  }

  @Provide
  Arbitrary<Instant> nows() {
    return Arbitraries.of(
        NOW,
        NOW.plusSeconds(61),
        NOW.plus(Duration.ofDays(1)),
        QueuePolicy.MIN_RUN_AT,
        Instant.MAX.minusSeconds(1),
        Instant.MAX);
  }

  @Provide
  Arbitrary<Hostile> hostile() {
    Arbitrary<String> texts =
        Arbitraries.oneOf(
            Arbitraries.of(
                "",
                " ",
                "\ud800",
                "a\udc00b",
                "\ud83d\ude00",
                "\ud83d",
                "nul\u0000",
                "j1",
                "j2",
                "j3",
                "tok-1",
                "tok-2",
                "x".repeat(300),
                "y".repeat(5000),
                "{\"a\":1}",
                "\"\ud800\"",
                "[1e999999999]",
                "null"),
            Arbitraries.strings().ofMaxLength(12),
            Arbitraries.strings().withCharRange('\ud7f0', '\ue010').ofMaxLength(4));
    Arbitrary<Instant> instants =
        Arbitraries.oneOf(
            Arbitraries.of(
                Instant.MIN,
                Instant.MAX,
                Instant.EPOCH,
                QueuePolicy.MIN_RUN_AT,
                QueuePolicy.MIN_RUN_AT.minusNanos(1),
                Instant.parse("+999999999-01-01T00:00:00Z"),
                NOW.plus(QueuePolicy.MAX_SCHEDULE_AHEAD),
                NOW.plus(QueuePolicy.MAX_SCHEDULE_AHEAD).plusNanos(1),
                NOW),
            Arbitraries.longs()
                .between(-31_557_014_167_219_200L, 31_556_889_864_403_199L)
                .map(Instant::ofEpochSecond));
    Arbitrary<Duration> durations =
        Arbitraries.oneOf(
            Arbitraries.of(
                Duration.ZERO,
                Duration.ofNanos(-1),
                Duration.ofNanos(1),
                Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                Duration.ofSeconds(Long.MIN_VALUE),
                QueuePolicy.MAX_SCHEDULE_AHEAD,
                QueuePolicy.MAX_SCHEDULE_AHEAD.plusNanos(1),
                Duration.ofHours(12),
                Duration.ofHours(13)),
            Arbitraries.longs().map(Duration::ofSeconds));
    Arbitrary<Integer> numbers =
        Arbitraries.oneOf(
            Arbitraries.of(Integer.MIN_VALUE, Integer.MAX_VALUE, -1, 0, 1, 1000, 1001, 1_000_001),
            Arbitraries.integers());
    return Combinators.combine(
            Arbitraries.integers().between(0, 9),
            texts,
            instants,
            durations,
            numbers,
            Arbitraries.integers().between(0, 1000))
        .as(Hostile::new);
  }
}
