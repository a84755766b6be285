package dev.casq.core.internal;

import java.time.Instant;

/**
 * Which jobs a list, retry or purge takes: a status (null for any), a type (null for any) and a
 * push-time range ({@code createdFrom} inclusive, {@code createdTo} exclusive; null for open).
 *
 * @param status the status, or null
 * @param type the job type, or null
 * @param createdFrom the earliest push time, or null
 * @param createdTo the push time before which jobs were pushed, or null
 */
public record HistoryFilter(JobStatus status, String type, Instant createdFrom, Instant createdTo) {

  /** Whether the job passes. */
  boolean accepts(Job j) {
    return accepts(j.status(), j.type(), j.createdAt());
  }

  /** Whether the archived job passes. */
  boolean accepts(HistoryIndex.Entry e) {
    return accepts(e.status(), e.type(), e.createdAt());
  }

  private boolean accepts(JobStatus s, String t, Instant created) {
    return s != JobStatus.PURGED
        && (status == null || status == s)
        && (type == null || type.equals(t))
        && (createdFrom == null || !created.isBefore(createdFrom))
        && (createdTo == null || created.isBefore(createdTo));
  }
}
