package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.CorruptStateException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The compact key table behaves as a map from 128-bit hashes, whatever its collisions. */
class KeyTableTest {
  record Op(int kind, int key, int value) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Arbitraries.integers()
        .between(0, 9)
        .flatMap(
            kind ->
                Arbitraries.integers()
                    .between(0, 300)
                    .flatMap(
                        key ->
                            Arbitraries.integers().between(0, 1000).map(v -> new Op(kind, key, v))))
        .list()
        .ofMaxSize(1500);
  }

  /**
   * Random puts, removes and expiries against a map model; {@code spread} folds the high half of
   * every hash into a few values, so most keys share an index home (collisions) and deletions shift
   * long probe runs; the low half keeps them apart.
   */
  @Property(tries = 60)
  void behavesAsAMapUnderCollisionsResizesAndExpiry(
      @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 64) int spread) {
    KeyTable t = new KeyTable();
    Map<Integer, long[]> model = new HashMap<>(); // key -> {seq, aux}
    ArrayDeque<Integer> order = new ArrayDeque<>(); // insertion order of the model
    int clock = 0;
    for (Op op : ops) {
      long hi = op.key() % spread;
      long lo = op.key() * 0x9E3779B97F4A7C15L;
      switch (op.kind()) {
        case 0, 1, 2, 3, 4, 5 -> {
          int aux = clock + op.value() % 50; // forget times mostly grow
          long[] had = model.get(op.key());
          if (op.kind() % 2 == 0) {
            t.put(hi, lo, op.value(), aux);
          } else if (!t.putIfNewer(hi, lo, op.value(), aux)) {
            assertThat(had).isNotNull();
            assertThat(had[0]).isEqualTo(op.value());
            assertThat(had[1]).isGreaterThanOrEqualTo(aux);
            break; // unchanged, and so is its place in the order
          }
          model.put(op.key(), new long[] {op.value(), aux});
          order.remove(op.key());
          order.addLast(op.key());
        }
        case 6, 7 -> {
          assertThat(t.remove(hi, lo)).isEqualTo(model.remove(op.key()) != null);
          order.remove(op.key());
        }
        default -> {
          clock += op.value() % 20;
          t.expireOldest(clock);
          while (!order.isEmpty() && model.get(order.peekFirst())[1] <= clock) {
            model.remove(order.pollFirst());
          }
        }
      }
      assertThat(t.size()).isEqualTo(model.size());
    }
    for (int key = 0; key <= 300; key++) {
      int slot = t.find(key % spread, key * 0x9E3779B97F4A7C15L);
      long[] expected = model.get(key);
      if (expected == null) {
        assertThat(slot).as("key %d", key).isNegative();
      } else {
        assertThat(slot).as("key %d", key).isNotNegative();
        assertThat(t.seq(slot)).isEqualTo(expected[0]);
        assertThat(t.aux(slot)).isEqualTo((int) expected[1]);
      }
    }
  }

  @Test
  void growsByDoublingAndKeepsEveryEntry() {
    KeyTable t = new KeyTable();
    int initial = t.capacity();
    for (int i = 0; i < 100_000; i++) {
      t.put(i, ~i, i, i);
    }
    assertThat(t.capacity()).isGreaterThanOrEqualTo(100_000).isGreaterThan(initial);
    assertThat(t.bytes()).isLessThanOrEqualTo(2L * 100_000 * 36);
    for (int i = 0; i < 100_000; i++) {
      assertThat(t.seq(t.find(i, ~i))).isEqualTo(i);
    }
    assertThat(t.expireOldest(49_999)).isEqualTo(50_000);
    assertThat(t.find(10, ~10L)).isNegative();
    assertThat(t.seq(t.find(50_000, ~50_000L))).isEqualTo(50_000);
  }

  @Test
  void aCappedTableStopsDoublingAtItsCapButNeverRefusesAnEntry() {
    KeyTable t = new KeyTable(0, 1000);
    for (int i = 0; i < 1000; i++) {
      t.put(i, i, i, i);
    }
    assertThat(t.capacity()).isEqualTo(1000);
    assertThat(t.bytes()).isLessThanOrEqualTo(1000L * 39);
    for (int i = 1000; i < 1200; i++) {
      t.put(i, i, i, i);
    }
    assertThat(t.capacity()).isBetween(1200, 1300);
    assertThat(t.size()).isEqualTo(1200);
    assertThat(t.seq(t.find(1199, 1199))).isEqualTo(1199);
  }

  @Test
  void anEntryReplacedByALaterOneIsExpiredAtItsNewTime() {
    KeyTable t = new KeyTable();
    t.put(1, 1, 7, 10);
    t.put(2, 2, 8, 11);
    t.put(1, 1, 9, 30); // same hash again: removed from its old place, newest now
    assertThat(t.expireOldest(20)).isEqualTo(1); // only (2,2)
    assertThat(t.seq(t.find(1, 1))).isEqualTo(9);
    assertThat(t.size()).isEqualTo(1);
  }

  @Test
  void aFullHashCollisionIsAMatchWhichIsWhy128BitsAreStored() {
    KeyHasher colliding = key -> new KeyHasher.KeyHash(42, 42);
    KeyMemory m = new KeyMemory(colliding);
    Instant now = Instant.parse("2026-11-25T00:00:00Z");
    m.put("a", 5, now.plusSeconds(60));
    // two keys with the same hash cannot be told apart (96 bits kept: about n / 2^96)
    assertThat(m.seqFor("b", now)).isEqualTo(5);
    KeyMemory real = new KeyMemory(KeyHasher.MURMUR3);
    real.put("a", 5, now.plusSeconds(60));
    assertThat(real.seqFor("b", now)).isEqualTo(-1);
    assertThat(real.seqFor("a", now)).isEqualTo(5);
  }

  @Test
  void aStateKeepsItsOwnKeysUntilTheWriteCarryingThemLands() {
    Instant now = Instant.parse("2026-11-25T00:00:00Z");
    KeyMemory committed = new KeyMemory(KeyHasher.MURMUR3);
    FinishedKeys working = new FinishedKeys();
    working.attach(committed);
    // finished by a command applied at revision 5: carried by the write of revision 6
    working.remember("k", "j3", now.plusSeconds(60), 5);
    assertThat(working.jobFor("k", now)).isEqualTo("j3");
    assertThat(committed.seqFor("k", now)).as("not committed yet").isEqualTo(-1);
    working.landed(5);
    assertThat(committed.seqFor("k", now)).isEqualTo(-1);

    FinishedKeys afterALostRace = new FinishedKeys(); // the state that lost is thrown away
    afterALostRace.attach(committed);
    assertThat(afterALostRace.jobFor("k", now)).isNull();

    working.landed(6);
    assertThat(committed.seqFor("k", now)).isEqualTo(3);
    assertThat(afterALostRace.jobFor("k", now)).isEqualTo("j3");
    assertThat(working.recentSnapshot()).isEmpty();
  }

  @Test
  void keyMemoryForgetsAtTheForgetTimeRoundedUpToASecond() {
    KeyMemory m = new KeyMemory(KeyHasher.MURMUR3);
    Instant forget = Instant.parse("2026-11-25T00:05:00.250Z");
    m.put("k", 3, forget);
    assertThat(m.seqFor("k", forget.minusSeconds(1))).isEqualTo(3);
    assertThat(m.seqFor("k", forget)).isEqualTo(3); // kept to the end of that second
    assertThat(m.seqFor("k", Instant.parse("2026-11-25T00:05:01Z"))).isEqualTo(-1);
    assertThat(m.expire(Instant.parse("2026-11-25T00:05:00.900Z"))).isZero();
    assertThat(m.expire(Instant.parse("2026-11-25T00:05:01Z"))).isEqualTo(1);
    assertThat(m.size()).isZero();
  }

  @Test
  void keyIndexObjectsRoundTripAndRefuseAnythingElse() {
    Instant at = Instant.parse("2026-11-25T00:00:00.123Z");
    Job keyed =
        new Job(
            "j7",
            7,
            null,
            "{}",
            0,
            at,
            1,
            5,
            at,
            "order-7",
            JobStatus.COMPLETED,
            null,
            null,
            at,
            null);
    Job plain =
        new Job(
            "j8", 8, null, "{}", 0, at, 1, 5, at, null, JobStatus.COMPLETED, null, null, at, null);
    KeyIndexObject.Entries e = KeyIndexObject.of(List.of(keyed, plain), KeyHasher.MURMUR3);
    byte[] bytes = KeyIndexObject.encode(e);
    assertThat(bytes).hasSize(12 + 4 + 32);
    KeyIndexObject.Entries back = KeyIndexObject.decode(bytes);
    KeyHasher.KeyHash h = KeyHasher.MURMUR3.hash("order-7");
    assertThat(back.hi()).containsExactly(h.hi());
    assertThat(back.lo()).containsExactly(h.lo());
    assertThat(back.seq()).containsExactly(7);
    assertThat(back.finishedAtMillis()).containsExactly(at.toEpochMilli());
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> KeyIndexObject.decode(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("says 1 keys");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> KeyIndexObject.decode("{\"format\":\"casq-archive/1\"}".getBytes()))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("casq-keys/1");
    assertThat(KeyIndexObject.keyFor("q.json.archive/2026/11/25/17/4-ab.json"))
        .isEqualTo("q.json.keys/2026/11/25/17/4-ab.keys");
  }
}
