package dev.casq.storage.gcs.testserver;

import java.util.Map;

/**
 * The generation and metageneration preconditions of one request ({@code ifGenerationMatch}, {@code
 * ifGenerationNotMatch}, {@code ifMetagenerationMatch}, {@code ifMetagenerationNotMatch}), each
 * null when absent. A missing object counts as generation 0, so {@code ifGenerationMatch=0} means
 * "must not exist" and {@code ifGenerationNotMatch=0} means "must exist".
 */
record Preconditions(
    Long ifGenerationMatch,
    Long ifGenerationNotMatch,
    Long ifMetagenerationMatch,
    Long ifMetagenerationNotMatch) {

  static final Preconditions NONE = new Preconditions(null, null, null, null);

  /** Parses the preconditions from decoded query parameters; a malformed number is a 400. */
  static Preconditions from(Map<String, String> query) {
    return new Preconditions(
        number(query, "ifGenerationMatch"),
        number(query, "ifGenerationNotMatch"),
        number(query, "ifMetagenerationMatch"),
        number(query, "ifMetagenerationNotMatch"));
  }

  /**
   * Checks the preconditions of a write against the live object ({@code null} when absent).
   *
   * @throws GcsError 412 conditionNotMet when one does not hold
   */
  void checkWrite(StoredObject live) {
    long generation = live == null ? 0 : live.generation();
    if (ifGenerationMatch != null && generation != ifGenerationMatch) {
      throw GcsError.conditionNotMet(
          "At least one of the pre-conditions you specified did not hold: ifGenerationMatch="
              + ifGenerationMatch
              + ", live generation "
              + generation);
    }
    if (ifGenerationNotMatch != null && generation == ifGenerationNotMatch) {
      throw GcsError.conditionNotMet(
          "At least one of the pre-conditions you specified did not hold: ifGenerationNotMatch="
              + ifGenerationNotMatch);
    }
    checkMetageneration(live);
  }

  /**
   * Checks the preconditions of a read of an existing object.
   *
   * @throws GcsError 412 when a match condition fails, 304 when a not-match condition matches
   */
  void checkRead(StoredObject live) {
    if (ifGenerationMatch != null && live.generation() != ifGenerationMatch) {
      throw GcsError.conditionNotMet(
          "At least one of the pre-conditions you specified did not hold: ifGenerationMatch="
              + ifGenerationMatch
              + ", live generation "
              + live.generation());
    }
    if (ifMetagenerationMatch != null && live.metageneration() != ifMetagenerationMatch) {
      throw GcsError.conditionNotMet(
          "At least one of the pre-conditions you specified did not hold: ifMetagenerationMatch="
              + ifMetagenerationMatch
              + ", live metageneration "
              + live.metageneration());
    }
    if (ifGenerationNotMatch != null && live.generation() == ifGenerationNotMatch) {
      throw GcsError.notModified();
    }
    if (ifMetagenerationNotMatch != null && live.metageneration() == ifMetagenerationNotMatch) {
      throw GcsError.notModified();
    }
  }

  /**
   * Checks the preconditions of a delete of an existing object.
   *
   * @throws GcsError 412 when one does not hold
   */
  void checkDelete(StoredObject live) {
    checkWrite(live);
  }

  private void checkMetageneration(StoredObject live) {
    if (ifMetagenerationMatch != null
        && (live == null || live.metageneration() != ifMetagenerationMatch)) {
      throw GcsError.conditionNotMet(
          "At least one of the pre-conditions you specified did not hold: ifMetagenerationMatch="
              + ifMetagenerationMatch);
    }
    if (ifMetagenerationNotMatch != null
        && live != null
        && live.metageneration() == ifMetagenerationNotMatch) {
      throw GcsError.conditionNotMet(
          "At least one of the pre-conditions you specified did not hold: ifMetagenerationNotMatch="
              + ifMetagenerationNotMatch);
    }
  }

  private static Long number(Map<String, String> query, String name) {
    String v = query.get(name);
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw GcsError.badRequest("Invalid value for " + name + ": " + v);
    }
  }
}
