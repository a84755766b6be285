package dev.casq.core.internal;

/**
 * The guarantees on file:// with fsync on and a one-byte head budget: every commit that leases a
 * job moves its leased jobs into a leased-jobs object.
 */
class LeasesOutFileQueueGuaranteesTest extends FileQueueGuaranteesTest {
  @Override
  protected int headMaxBytes() {
    return 1;
  }
}
