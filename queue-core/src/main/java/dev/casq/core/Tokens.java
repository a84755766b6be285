package dev.casq.core;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Sources of lease tokens and commit ids. */
public final class Tokens {
  private Tokens() {}

  /** 128-bit random tokens from a {@link SecureRandom}. */
  public static Supplier<String> secure() {
    SecureRandom random = new SecureRandom();
    HexFormat hex = HexFormat.of();
    return () -> {
      byte[] b = new byte[16];
      random.nextBytes(b);
      return hex.formatHex(b);
    };
  }

  /** Predictable tokens {@code prefix-1}, {@code prefix-2}, ... for tests. */
  public static Supplier<String> sequential(String prefix) {
    AtomicLong n = new AtomicLong();
    return () -> prefix + "-" + n.incrementAndGet();
  }
}
