package dev.casq.wire;

import java.util.List;
import java.util.Objects;

/**
 * The body of a batch completion ({@code POST .../jobs/complete}): {@code {"jobs": [{"id": ...,
 * "leaseToken": ..., "result": ...}, ...]}}, at most {@link WireLimits#MAX_COMPLETE_BATCH} jobs,
 * each id at most once.
 *
 * @param jobs the jobs to complete, in order
 */
public record CompleteAllBody(List<Item> jobs) {
  /** Copies the list. */
  public CompleteAllBody {
    jobs = List.copyOf(jobs);
  }

  /**
   * One job to complete.
   *
   * @param id the job id (required)
   * @param leaseToken the lease of the attempt that completed (required)
   * @param resultJson the result's JSON text exactly as sent, or null
   */
  public record Item(String id, String leaseToken, String resultJson) {
    /** Checks the id and token are there. */
    public Item {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(leaseToken, "leaseToken");
    }
  }
}
