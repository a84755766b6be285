package dev.casq.core.internal;

/** The guarantees on file:// with fsync on, the backlog beyond eight ready jobs in segments. */
class SegmentedFileQueueGuaranteesTest extends FileQueueGuaranteesTest {
  @Override
  protected int headMaxReadyJobs() {
    return 8;
  }
}
