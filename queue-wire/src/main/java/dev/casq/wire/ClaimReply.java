package dev.casq.wire;

import java.util.List;

/**
 * The answer to a claim: the leased jobs, none when no job was ready in time.
 *
 * @param jobs the leased jobs
 */
public record ClaimReply(List<LeasedJobView> jobs) {
  /** Copies the list. */
  public ClaimReply {
    jobs = List.copyOf(jobs);
  }
}
