package dev.casq.core.internal;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Sources of lease tokens and commit ids. */
public final class Tokens {
  private Tokens() {}

  /**
   * 128-bit random tokens from a {@link SecureRandom}, drawn 4 KiB at a time (one read of the
   * system's randomness per 256 tokens instead of one per token: a claim of 1,000 jobs needs 1,000
   * tokens).
   */
  public static Supplier<String> secure() {
    SecureRandom random = new SecureRandom();
    HexFormat hex = HexFormat.of();
    byte[] pool = new byte[4096];
    int[] used = {pool.length};
    return () -> {
      synchronized (pool) {
        if (used[0] == pool.length) {
          random.nextBytes(pool);
          used[0] = 0;
        }
        String token = hex.formatHex(pool, used[0], used[0] + 16);
        java.util.Arrays.fill(pool, used[0], used[0] + 16, (byte) 0); // a token is handed out once
        used[0] += 16;
        return token;
      }
    };
  }

  /** Predictable tokens {@code prefix-1}, {@code prefix-2}, ... for tests. */
  public static Supplier<String> sequential(String prefix) {
    AtomicLong n = new AtomicLong();
    return () -> prefix + "-" + n.incrementAndGet();
  }
}
