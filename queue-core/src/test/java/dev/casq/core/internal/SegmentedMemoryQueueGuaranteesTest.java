package dev.casq.core.internal;

/** The guarantees on mem://, the backlog beyond eight ready jobs in segments. */
class SegmentedMemoryQueueGuaranteesTest extends MemoryQueueGuaranteesTest {
  @Override
  protected int headMaxReadyJobs() {
    return 8;
  }
}
