package dev.casq.storage.s3;

import java.util.Locale;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;

/**
 * When the SDK adds flexible checksums (CRC32 and friends) to requests and validates them on
 * responses.
 */
public enum ChecksumMode {
  /**
   * Only where an operation requires one. Every S3-compatible server accepts this; Ceph radosgw
   * rejects some of the checksum headers the SDK sends otherwise.
   */
  WHEN_REQUIRED,
  /** On every operation that supports one: end-to-end integrity on AWS S3. */
  WHEN_SUPPORTED;

  RequestChecksumCalculation requestCalculation() {
    return this == WHEN_REQUIRED
        ? RequestChecksumCalculation.WHEN_REQUIRED
        : RequestChecksumCalculation.WHEN_SUPPORTED;
  }

  ResponseChecksumValidation responseValidation() {
    return this == WHEN_REQUIRED
        ? ResponseChecksumValidation.WHEN_REQUIRED
        : ResponseChecksumValidation.WHEN_SUPPORTED;
  }

  /** Parses {@code when-required} or {@code when-supported}, or returns null. */
  static ChecksumMode parse(String text) {
    switch (text.toLowerCase(Locale.ROOT).replace('_', '-')) {
      case "when-required":
        return WHEN_REQUIRED;
      case "when-supported":
        return WHEN_SUPPORTED;
      default:
        return null;
    }
  }

  String key() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
