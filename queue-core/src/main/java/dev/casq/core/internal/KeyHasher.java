package dev.casq.core.internal;

import java.nio.charset.StandardCharsets;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * Turns an idempotency key into the 128-bit hash that casq's compact key tables and key index
 * objects store instead of the key itself. Tests inject one that collides on purpose.
 */
@FunctionalInterface
interface KeyHasher {
  /** MurmurHash3 x64 128-bit (seed 0) of the key's UTF-8 bytes: the hash key index objects hold. */
  KeyHasher MURMUR3 =
      key -> {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        long[] h = MurmurHash3.hash128x64(bytes, 0, bytes.length, 0);
        return new KeyHash(h[0], h[1]);
      };

  /** The 128-bit hash of {@code key}. */
  KeyHash hash(String key);

  /** A 128-bit key hash as two 64-bit halves. */
  record KeyHash(long hi, long lo) {}
}
