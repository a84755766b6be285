package dev.casq.core.internal;

/** What reaches a commit engine's thread: a caller's command, the end of a write, or a wake-up. */
sealed interface InboxEvent {

  /** A command submitted by a caller. */
  record Submitted(Pending<?> pending) implements InboxEvent {}

  /** Commands submitted together: applied one after the other, into the same write. */
  record SubmittedAll(java.util.List<Pending<?>> pendings) implements InboxEvent {}

  /** The write in flight was performed; the loop handles its outcome. */
  record WriteEnded(CommitLoop.Write write) implements InboxEvent {}

  /** Look at the engine's flags again (it is closing). */
  record Wake() implements InboxEvent {}
}
