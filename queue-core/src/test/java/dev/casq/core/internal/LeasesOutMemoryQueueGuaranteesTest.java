package dev.casq.core.internal;

/**
 * The guarantees on mem:// with a one-byte head budget: every commit that leases a job moves its
 * leased jobs into a leased-jobs object, and the backlog beyond eight ready jobs is in segments.
 */
class LeasesOutMemoryQueueGuaranteesTest extends MemoryQueueGuaranteesTest {
  @Override
  protected int headMaxReadyJobs() {
    return 8;
  }

  @Override
  protected int headMaxBytes() {
    return 1;
  }
}
