package dev.casq.api;

import java.util.List;

/**
 * One page of {@link Queue#list}: jobs in id (push) order, and the cursor of the next page.
 *
 * @param jobs the jobs of this page (possibly fewer than asked, even when more follow)
 * @param nextCursor pass it to {@link Queue#list} for the next page; null on the last page
 * @param <T> the payload type
 */
public record JobPage<T>(List<JobInfo<T>> jobs, String nextCursor) {
  /** Copies the list. */
  public JobPage {
    jobs = List.copyOf(jobs);
  }

  /**
   * Whether another page may follow.
   *
   * @return true when {@link #nextCursor} is set
   */
  public boolean hasMore() {
    return nextCursor != null;
  }
}
