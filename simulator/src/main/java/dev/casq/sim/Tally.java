package dev.casq.sim;

import java.util.Map;
import java.util.TreeMap;

/** Counts by name (operations by kind, faults by kind), in name order for stable reports. */
final class Tally {
  private final TreeMap<String, Long> counts = new TreeMap<>();

  void add(String name) {
    add(name, 1);
  }

  void add(String name, long n) {
    counts.merge(name, n, Long::sum);
  }

  void addAll(Tally other) {
    other.counts.forEach(this::add);
  }

  long get(String name) {
    return counts.getOrDefault(name, 0L);
  }

  long total() {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  Map<String, Long> asMap() {
    return java.util.Collections.unmodifiableMap(counts);
  }

  @Override
  public String toString() {
    return counts.toString();
  }
}
