package dev.casq.core.internal;

import dev.casq.api.QueueClosedException;
import dev.casq.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Reads many key index objects at once (those of archives, or of segments, at a takeover): up to
 * {@link #PARALLELISM} threads, started for the call and stopped before it returns. The reading
 * function must touch no engine state (it runs on those threads).
 */
final class KeyIndexReads {
  /** Index objects read at once. */
  static final int PARALLELISM = 8;

  private KeyIndexReads() {}

  /**
   * {@code read} applied to each of {@code items}, in their order: many at once when {@code
   * parallel} and there is more than one, else one after the other on the calling thread.
   *
   * @param owner names the threads, and the queue in errors
   */
  static <T, R> List<R> readAll(
      List<T> items, Function<T, R> read, boolean parallel, String owner) {
    List<R> results = new ArrayList<>(items.size());
    if (!parallel || items.size() < 2) {
      for (T item : items) {
        results.add(read.apply(item));
      }
      return results;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(PARALLELISM, items.size()), daemonThreads(owner));
    try {
      List<Future<R>> futures = new ArrayList<>(items.size());
      for (T item : items) {
        futures.add(pool.submit(() -> read.apply(item)));
      }
      for (Future<R> f : futures) {
        results.add(f.get());
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueClosedException("interrupted while reading key index objects of " + owner);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r
          ? r
          : new StorageException("reading key index objects failed: " + cause, cause);
    } finally {
      pool.shutdownNow();
    }
  }

  private static ThreadFactory daemonThreads(String owner) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "casq-keys-" + owner + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
