package dev.casq.core.internal;

import dev.casq.storage.Version;
import dev.casq.storage.VersionedBytes;

/**
 * How one commit attempt ended, decided on the writer's side: the store's answer, and for any
 * answer but success, what a re-read of the object proves. Handled in one place, {@link
 * CommitLoop#writeEnded}.
 */
sealed interface WriteOutcome {

  /** The store accepted the write. */
  record Won(Version version) implements WriteOutcome {}

  /**
   * The store's answer was lost or ambiguous, and a re-read shows the commit in the object: it
   * landed. {@code current} is what was read (the commit itself, or a later one built on it).
   */
  record Landed(VersionedBytes current, QueueState state) implements WriteOutcome {}

  /**
   * The write can never land: the object moved on from the version it was conditioned on, and what
   * it holds now does not contain the commit. Its batch must be applied again.
   */
  record Lost(VersionedBytes current, QueueState state) implements WriteOutcome {}

  /**
   * The commit is too old to be found in the object's recent commit marks: whether it landed cannot
   * be known. Its callers are told so; nothing is redone.
   */
  record Unknowable(VersionedBytes current, QueueState state, Throwable cause)
      implements WriteOutcome {}

  /** The object is gone or unreadable as a queue: the engine must stop. */
  record Broken(RuntimeException error) implements WriteOutcome {}
}
