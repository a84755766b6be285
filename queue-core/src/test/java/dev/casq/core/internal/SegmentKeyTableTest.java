package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SegmentKeyTableTest {
  private static KeyIndexObject.Entries entries(String prefix, int n, long firstSeq) {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(job(firstSeq + i, prefix + i));
    }
    return KeyIndexObject.ofSegment(jobs, KeyHasher.MURMUR3);
  }

  private static Job job(long seq, String key) {
    java.time.Instant at = java.time.Instant.EPOCH;
    return new Job(
        QueueStateMachine.jobId(seq),
        seq,
        null,
        "{}",
        0,
        at,
        0,
        5,
        at,
        key,
        JobStatus.QUEUED,
        null,
        null,
        null,
        null);
  }

  private static List<SegmentKeyTable.Hit> find(SegmentKeyTable t, String key) {
    KeyHasher.KeyHash h = KeyHasher.MURMUR3.hash(key);
    return t.find(h.hi(), h.lo());
  }

  @Test
  void findsEachKeyWithItsSegmentSeqAndPosition() {
    SegmentKeyTable t = new SegmentKeyTable();
    t.add("s1", entries("a", 100, 1));
    t.add("s2", entries("b", 50, 1000));
    assertThat(t.size()).isEqualTo(150);
    assertThat(find(t, "a7")).containsExactly(new SegmentKeyTable.Hit("s1", 8, 7));
    assertThat(find(t, "b49")).containsExactly(new SegmentKeyTable.Hit("s2", 1049, 49));
    assertThat(find(t, "c1")).isEmpty();
  }

  @Test
  void aKeyInTwoSegmentsIsFoundInBothUntilOneIsDropped() {
    SegmentKeyTable t = new SegmentKeyTable();
    t.add("old", entries("k", 20, 1));
    t.add("merged", entries("k", 20, 1)); // the same jobs, merged into a new segment
    assertThat(find(t, "k3"))
        .extracting(SegmentKeyTable.Hit::segment)
        .containsExactlyInAnyOrder("old", "merged");
    t.drop("old");
    assertThat(find(t, "k3")).containsExactly(new SegmentKeyTable.Hit("merged", 4, 3));
    t.add("old", entries("x", 1, 1)); // a segment's keys are added once
    t.add("old", entries("k", 20, 1));
    assertThat(find(t, "k3")).hasSize(1);
  }

  @Test
  void matchesAMapOfKeysThroughAddsDropsAndRebuilds() {
    SplittableRandom random = new SplittableRandom(7);
    SegmentKeyTable t = new SegmentKeyTable();
    Map<String, Map<String, Integer>> model = new HashMap<>(); // segment -> key -> position
    int next = 0;
    for (int step = 0; step < 400; step++) {
      if (model.isEmpty() || random.nextInt(3) > 0) {
        String segment = "s" + next++;
        int n = random.nextInt(60);
        List<Job> jobs = new ArrayList<>();
        Map<String, Integer> keys = new HashMap<>();
        for (int i = 0; i < n; i++) {
          String k = "key-" + random.nextInt(2000);
          jobs.add(job(next * 1000L + i, keys.containsKey(k) ? null : k));
          if (!keys.containsKey(k)) {
            keys.put(k, i);
          }
        }
        t.add(segment, KeyIndexObject.ofSegment(jobs, KeyHasher.MURMUR3));
        model.put(segment, keys);
      } else {
        List<String> names = new ArrayList<>(model.keySet());
        String victim = names.get(random.nextInt(names.size()));
        if (random.nextBoolean()) {
          t.drop(victim);
        } else {
          Set<String> keep = new java.util.HashSet<>(names);
          keep.remove(victim);
          t.retain(keep);
        }
        model.remove(victim);
      }
      assertThat(t.segments()).isEqualTo(model.keySet());
      for (int probe = 0; probe < 20; probe++) {
        String k = "key-" + random.nextInt(2000);
        Map<String, Integer> expected = new HashMap<>();
        model.forEach(
            (segment, keys) -> {
              if (keys.containsKey(k)) {
                expected.put(segment, keys.get(k));
              }
            });
        Map<String, Integer> actual = new HashMap<>();
        find(t, k).forEach(h -> actual.put(h.segment(), h.position()));
        assertThat(actual).as(k).isEqualTo(expected);
      }
    }
    int live = model.values().stream().mapToInt(Map::size).sum();
    assertThat(t.size()).isEqualTo(live);
  }
}
