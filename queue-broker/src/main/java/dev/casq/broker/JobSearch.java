package dev.casq.broker;

import dev.casq.core.internal.Job;
import dev.casq.core.internal.JobStatus;
import dev.casq.core.internal.QueueState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.util.Fields;

/**
 * A page of the dashboard's job table: the jobs in the queue object's head (live ones in push
 * order, then finished ones not archived yet, dead ones among them) that have a status and whose
 * id, type, idempotency key, lease holder, last error or payload contains a text.
 *
 * <p>Runs on the engine thread as a read-only command. It stops at the first job past the page, so
 * a page costs what it takes to find {@code offset + limit + 1} matches: the whole head when few
 * jobs match. Jobs moved out to segment objects are not listed.
 *
 * @param status the status to keep, or null for all
 * @param text the text to look for (case-insensitive), or null for all
 * @param offset matches to skip
 * @param limit matches to return
 */
record JobSearch(JobStatus status, String text, int offset, int limit) {
  /** Most jobs on one page. */
  static final int MAX_LIMIT = 200;

  /** Longest search text. */
  static final int MAX_TEXT = 200;

  /** Characters of a payload or last error shown in the table (the detail view has them all). */
  static final int PREVIEW_CHARS = 160;

  /**
   * The jobs found, and whether more match past them.
   *
   * @param jobs the page
   * @param more true when at least one more job matches
   */
  record Page(List<Job> jobs, boolean more) {}

  /**
   * The search a request asks for: {@code status}, {@code q}, {@code offset} (default 0) and {@code
   * limit} (default 50, at most {@link #MAX_LIMIT}).
   *
   * @throws ApiException 400 on a value out of range
   */
  static JobSearch of(Fields query) {
    JobStatus status = null;
    String s = query.getValue("status");
    if (s != null && !s.isBlank()) {
      try {
        status = JobStatus.fromWire(s.trim().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        List<String> names = new ArrayList<>();
        for (JobStatus v : JobStatus.values()) {
          names.add(v.wireName());
        }
        throw ApiException.invalid("status '" + s + "' is none of " + names);
      }
    }
    String text = query.getValue("q");
    if (text != null && text.length() > MAX_TEXT) {
      throw ApiException.invalid(
          "the search text is " + text.length() + " characters; at most " + MAX_TEXT);
    }
    if (text != null && text.isBlank()) {
      text = null;
    }
    int offset = number(query, "offset", 0, 0, Integer.MAX_VALUE - MAX_LIMIT - 1);
    int limit = number(query, "limit", 50, 1, MAX_LIMIT);
    return new JobSearch(status, text, offset, limit);
  }

  private static int number(Fields query, String name, int dflt, int min, int max) {
    String v = query.getValue(name);
    if (v == null || v.isEmpty()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.invalid(name + " must be a whole number from " + min + " to " + max);
  }

  /** The page of {@code state}; call on the engine thread. */
  Page find(QueueState state) {
    List<Job> page = new ArrayList<>(limit);
    int[] skipped = {0};
    boolean more =
        scan(state.liveJobs(), page, skipped) || scan(state.finishedJobs(), page, skipped);
    return new Page(List.copyOf(page), more);
  }

  /** Adds matches past the offset to {@code page}; true once one more than the page matched. */
  private boolean scan(Iterable<Job> jobs, List<Job> page, int[] skipped) {
    for (Job j : jobs) {
      if (!matches(j)) {
        continue;
      }
      if (skipped[0] < offset) {
        skipped[0]++;
      } else if (page.size() < limit) {
        page.add(j);
      } else {
        return true;
      }
    }
    return false;
  }

  boolean matches(Job j) {
    if (status != null && j.status() != status) {
      return false;
    }
    if (text == null) {
      return true;
    }
    return contains(j.id())
        || contains(j.type())
        || contains(j.idempotencyKey())
        || (j.lease() != null && contains(j.lease().worker()))
        || contains(j.lastError())
        || contains(j.payloadJson());
  }

  private boolean contains(String hay) {
    if (hay == null) {
      return false;
    }
    int n = text.length();
    for (int i = 0, last = hay.length() - n; i <= last; i++) {
      if (hay.regionMatches(true, i, text, 0, n)) {
        return true;
      }
    }
    return false;
  }

  /** The first {@link #PREVIEW_CHARS} characters of {@code s}, with an ellipsis when cut. */
  static String preview(String s) {
    if (s == null || s.length() <= PREVIEW_CHARS) {
      return s;
    }
    return s.substring(0, PREVIEW_CHARS) + "…";
  }
}
