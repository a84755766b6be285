package dev.casq.broker;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks {@code Authorization: Bearer <token>} in constant time: both sides are hashed first, so
 * neither the content nor the length of the token leaks through timing. The token is never logged.
 */
final class BearerAuth {
  private final byte[] expectedDigest;

  private BearerAuth(byte[] expectedDigest) {
    this.expectedDigest = expectedDigest;
  }

  /** Null when no token is configured (every request is allowed). */
  static BearerAuth of(String token) {
    return token == null ? null : new BearerAuth(sha256(token));
  }

  boolean allows(String authorizationHeader) {
    if (authorizationHeader == null) {
      return false;
    }
    String h = authorizationHeader.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(expectedDigest, sha256(h.substring(7).trim()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
