package dev.casq.broker;

import dev.casq.core.internal.Command;
import dev.casq.core.internal.JobQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/** Holds a queue's engine thread inside one command until released, so that commands pile up. */
final class EngineBlocker implements AutoCloseable {
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final CompletableFuture<Object> held;

  EngineBlocker(JobQueue queue) throws InterruptedException {
    Command<Object> hold =
        (state, machine, now) -> {
          entered.countDown();
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        };
    held =
        queue.submit(
            new Command<>() {
              @Override
              public Object apply(
                  dev.casq.core.internal.QueueState s,
                  dev.casq.core.internal.QueueStateMachine m,
                  java.time.Instant now) {
                return hold.apply(s, m, now);
              }

              @Override
              public boolean readOnly() {
                return true;
              }
            });
    if (!entered.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the engine did not take the blocking command");
    }
  }

  /** Queues {@code n} read-only commands behind the held one and waits until they are queued. */
  static void fill(JobQueue queue, int n) {
    for (int i = 0; i < n; i++) {
      queue.stats();
    }
    Awaitility.await().until(() -> queue.engine().queuedCommands() >= n);
  }

  @Override
  public void close() {
    release.countDown();
    held.join();
  }
}
