package dev.casq.core.internal;

import java.time.Instant;

/** A command with what the engine needs to know about it before applying it. */
record MarkedCommand<R>(Command<R> command, boolean readOnly, boolean addsJobs)
    implements Command<R> {
  @Override
  public R apply(QueueState state, QueueStateMachine machine, Instant now) {
    return command.apply(state, machine, now);
  }
}
