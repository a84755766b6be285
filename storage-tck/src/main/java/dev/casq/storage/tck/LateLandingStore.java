package dev.casq.storage.tck;

import dev.casq.storage.ObjectStore;
import dev.casq.storage.OutcomeUnknownException;
import dev.casq.storage.PreconditionFailedException;
import dev.casq.storage.Version;

/**
 * A store whose conditional writes can complete after their caller gave up, as an object-store PUT
 * that times out on the client and still completes on the server: a held {@code replace} answers
 * {@link OutcomeUnknownException} at once and is performed later — when {@link #landHeld()} is
 * called, or right before the next {@code replace} arrives — still conditioned on the version it
 * named (so it lands only if the object has not moved on meanwhile).
 */
public final class LateLandingStore extends DelegatingObjectStore {
  private record Held(String key, byte[] data, Version expected) {}

  private final Object lock = new Object();
  private boolean holdNext; // guarded by lock
  private boolean landBeforeNextReplace; // guarded by lock
  private Held held; // guarded by lock
  private Boolean lastLanded; // guarded by lock

  public LateLandingStore(ObjectStore delegate) {
    super(delegate);
  }

  /** The next {@code replace} is held: its caller is told the outcome is unknown. */
  public void holdNextReplace() {
    synchronized (lock) {
      holdNext = true;
    }
  }

  /** The held write lands (or fails its condition) right before the next {@code replace}. */
  public void landHeldBeforeNextReplace() {
    synchronized (lock) {
      landBeforeNextReplace = true;
    }
  }

  /** Performs the held write now; returns whether it landed (null when none was held). */
  public Boolean landHeld() {
    synchronized (lock) {
      return performHeld();
    }
  }

  /** Whether the last held write landed when it was performed (null before). */
  public Boolean lastLanded() {
    synchronized (lock) {
      return lastLanded;
    }
  }

  @Override
  public Version replace(String key, byte[] data, Version expected) {
    synchronized (lock) {
      if (landBeforeNextReplace && held != null) {
        landBeforeNextReplace = false;
        performHeld();
      }
      if (holdNext) {
        holdNext = false;
        held = new Held(key, data.clone(), expected);
        throw new OutcomeUnknownException("the write timed out (it is still on its way)", null);
      }
    }
    return super.replace(key, data, expected);
  }

  private Boolean performHeld() {
    if (held == null) {
      return null;
    }
    Held h = held;
    held = null;
    try {
      super.replace(h.key(), h.data(), h.expected());
      lastLanded = true;
    } catch (PreconditionFailedException e) {
      lastLanded = false;
    }
    return lastLanded;
  }
}
