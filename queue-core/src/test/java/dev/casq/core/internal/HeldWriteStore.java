package dev.casq.core.internal;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.Version;
import dev.casq.storage.tck.DelegatingObjectStore;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A store that holds the first {@code replace} until {@link #release} is counted down ({@link
 * #writing} says it arrived), so that a test can make the engine apply more commands on top of a
 * write in flight. With {@code landedButUnknown}, that write lands but reports an unknown outcome.
 */
final class HeldWriteStore extends DelegatingObjectStore {
  final CountDownLatch writing = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  final boolean landedButUnknown;
  private final AtomicBoolean first = new AtomicBoolean(true);

  HeldWriteStore(ObjectStore delegate, boolean landedButUnknown) {
    super(delegate);
    this.landedButUnknown = landedButUnknown;
  }

  @Override
  public Version replace(String k, byte[] data, Version expected) {
    if (!first.getAndSet(false)) {
      return super.replace(k, data, expected);
    }
    writing.countDown();
    try {
      release.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    Version v = super.replace(k, data, expected);
    if (landedButUnknown) {
      throw new OutcomeUnknownException("injected: the write landed", null);
    }
    return v;
  }
}
