package dev.casq.wire;

import java.util.List;

/**
 * The answer to {@code GET .../jobs}: one page of jobs in id order.
 *
 * @param jobs the jobs
 * @param nextCursor the {@code cursor} of the next page, or null on the last page
 */
public record JobPageReply(List<JobView> jobs, String nextCursor) {}
