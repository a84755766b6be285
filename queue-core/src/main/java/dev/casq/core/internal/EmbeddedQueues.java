package dev.casq.core.internal;

import dev.casq.core.Queue;
import java.util.Objects;
import java.util.function.Function;

/**
 * The engine under an embedded {@link Queue}, for casq's own modules (metrics, the Spring Boot
 * starter) that observe it; not an API for users, who stay with {@code dev.casq.api.Queue}.
 */
public final class EmbeddedQueues {
  private static volatile Function<Queue<?>, JobQueue> jobs;

  private EmbeddedQueues() {}

  /**
   * Called once, by the embedded queue class as it is initialised.
   *
   * @param access how to get the untyped queue from an embedded one
   * @throws IllegalStateException if called again
   */
  public static synchronized void register(Function<Queue<?>, JobQueue> access) {
    if (jobs != null) {
      throw new IllegalStateException("the embedded queue's access is already registered");
    }
    jobs = Objects.requireNonNull(access, "access");
  }

  /**
   * The untyped queue under an embedded queue.
   *
   * @param embedded a queue opened with {@code Casq.open}
   * @return the untyped queue whose engine it uses
   */
  public static JobQueue jobs(Queue<?> embedded) {
    Objects.requireNonNull(embedded, "embedded");
    return jobs.apply(embedded); // the class of an instance is initialised, so jobs is set
  }
}
