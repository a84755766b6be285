package dev.casq.storage.s3;

import java.util.Locale;

/**
 * How the expected ETag is written into the {@code If-Match} header of a replace.
 *
 * <p>AWS S3, MinIO, Cloudflare R2 and LocalStack accept the ETag with or without the double quotes
 * of RFC 9110; Ceph radosgw (and some other S3-compatible servers) match only the bare value. So
 * {@link #AUTO} sends it unquoted; {@link #QUOTED} exists for servers that insist on the RFC form.
 */
public enum EtagQuoting {
  /** The form every server known to casq accepts: currently unquoted. */
  AUTO,
  /** {@code If-Match: "d41d8cd98f00b204e9800998ecf8427e"}. */
  QUOTED,
  /** {@code If-Match: d41d8cd98f00b204e9800998ecf8427e}. */
  UNQUOTED;

  /** The {@code If-Match} header value for the normalised (unquoted) ETag {@code etag}. */
  public String ifMatchValue(String etag) {
    return this == QUOTED ? '"' + etag + '"' : etag;
  }

  /** Parses {@code auto}, {@code quoted} or {@code unquoted}, or returns null. */
  static EtagQuoting parse(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "auto":
        return AUTO;
      case "quoted":
        return QUOTED;
      case "unquoted":
        return UNQUOTED;
      default:
        return null;
    }
  }

  /**
   * The normalised form of an ETag header value: without surrounding double quotes and without a
   * weak-validator prefix {@code W/}. Returns null for null or blank input.
   */
  public static String normalise(String etag) {
    if (etag == null) {
      return null;
    }
    String s = etag.trim();
    if (s.startsWith("W/")) {
      s = s.substring(2);
    }
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      s = s.substring(1, s.length() - 1);
    }
    return s.isEmpty() ? null : s;
  }
}
