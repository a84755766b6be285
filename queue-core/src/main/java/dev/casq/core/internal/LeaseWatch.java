package dev.casq.core.internal;

import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a worker knows about one lease it holds: the latest expiry it was granted (measured on the
 * worker's own clock, conservatively: from the moment the request was sent) and whether the queue
 * rejected it. Pure bookkeeping, no I/O; the worker feeds it heartbeat outcomes.
 *
 * <p>The rule: a heartbeat the queue rejects (wrong token, job gone, lease taken) loses the lease
 * at once; a heartbeat that fails for any other reason (broker unavailable, 5xx, timeout) loses
 * nothing until the last granted expiry passes; after that the lease counts as lost too.
 */
public final class LeaseWatch {
  private Instant expiresAt;
  private boolean rejected;

  /**
   * @param expiresAt when the lease runs out unless extended, on the worker's clock
   */
  public LeaseWatch(Instant expiresAt) {
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** A lease of {@code lease} asked for at {@code sentAt}. */
  public static LeaseWatch granted(Instant sentAt, Duration lease) {
    return new LeaseWatch(sentAt.plus(lease));
  }

  /** The heartbeat sent at {@code sentAt} asking for {@code lease} succeeded. */
  public synchronized void extended(Instant sentAt, Duration lease) {
    Instant next = sentAt.plus(lease);
    if (!rejected && next.isAfter(expiresAt)) {
      expiresAt = next;
    }
  }

  /** The queue refused the heartbeat (lease rejected, job gone): the lease is lost. */
  public synchronized void rejected() {
    rejected = true;
  }

  /** True when the lease is lost at {@code now}: rejected, or its expiry has passed. */
  public synchronized boolean isLost(Instant now) {
    return rejected || !now.isBefore(expiresAt);
  }

  /** The last expiry granted, on the worker's clock. */
  public synchronized Instant expiresAt() {
    return expiresAt;
  }

  /**
   * Whether a failed heartbeat means the lease is lost rather than a transient failure: the queue
   * rejected the lease or no longer knows the job.
   */
  public static boolean isRejection(Throwable error) {
    return error instanceof LeaseRejectedException || error instanceof JobNotFoundException;
  }
}
