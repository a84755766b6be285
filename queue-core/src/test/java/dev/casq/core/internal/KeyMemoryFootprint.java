package dev.casq.core.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bytes per remembered idempotency key: heap after a full GC with {@code n} keys in an engine's
 * {@link KeyMemory} (and, with {@code legacy}, in the map of strings casq used before), and the
 * size of the table's arrays.
 *
 * <p>Run: {@code java -Xmx4g -XX:+UseParallelGC -cp "$CP" dev.casq.core.internal.KeyMemoryFootprint
 * 1000000 3000000 6000000}
 */
public final class KeyMemoryFootprint {
  private record LegacyKey(String jobId, Instant forgetAt) {}

  public static void main(String[] args) throws Exception {
    boolean legacy = args.length > 0 && args[0].equals("legacy");
    Instant forgetAt = Instant.parse("2026-12-01T00:05:00Z");
    for (int a = legacy ? 1 : 0; a < args.length; a++) {
      int n = Integer.parseInt(args[a]);
      long before = used();
      Object held;
      long arrays = 0;
      if (legacy) {
        Map<String, LegacyKey> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          map.put(key(i), new LegacyKey("j" + (1_000_000_000L + i), forgetAt));
        }
        held = map;
      } else {
        KeyMemory m = new KeyMemory(KeyHasher.MURMUR3);
        long[] his = new long[n];
        long[] los = new long[n];
        for (int i = 0; i < n; i++) {
          KeyHasher.KeyHash h = KeyHasher.MURMUR3.hash(key(i));
          his[i] = h.hi();
          los[i] = h.lo();
        }
        java.lang.management.ThreadMXBean cpu =
            java.lang.management.ManagementFactory.getThreadMXBean();
        long wall = System.nanoTime();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        int second = KeyMemory.forgetSecond(forgetAt);
        for (int i = 0; i < n; i++) {
          m.put(his[i], los[i], 1_000_000_000L + i, second);
        }
        System.out.printf(
            "indexing %d hashed keys: %d ms wall, %d ms CPU%n",
            n,
            (System.nanoTime() - wall) / 1_000_000,
            (cpu.getCurrentThreadCpuTime() - cpuStart) / 1_000_000);
        his = null;
        los = null;
        arrays = m.bytes();
        held = m;
      }
      long after = used();
      System.out.printf(
          "%s keys=%d heap=%.1f MB (%.1f bytes/key) arrays=%.1f MB%n",
          legacy ? "legacy-map" : "key-table",
          n,
          (after - before) / 1e6,
          (after - before) / (double) n,
          arrays / 1e6);
      if (held.hashCode() == 42) {
        System.out.println(); // keeps the structure reachable until measured
      }
    }
  }

  private static String key(int i) {
    return "order-" + i + "-" + (i * 7919L); // ~20 characters, as a client's key
  }

  private static long used() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200); // let the collector finish: a measurement, not synchronisation
    }
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
