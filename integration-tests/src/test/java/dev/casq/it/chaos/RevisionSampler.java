package dev.casq.it.chaos;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.QueueState;
import dev.casq.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads the queue object over and over from its own thread during a chaos run and checks, for every
 * pair of consecutive reads, that the revision never went backwards and that the broker epoch never
 * went backwards (nor changed hands within one epoch). Reads that fail with a storage error are
 * counted and skipped; a read that cannot be decoded is a violation (a torn or corrupt object).
 */
final class RevisionSampler implements AutoCloseable {
  /** One read of the object. */
  record Sample(
      long atMillis,
      long revision,
      String brokerId,
      String brokerAddress,
      long epoch,
      int live,
      long pushed,
      long completed) {}

  private final QueueObject object;
  private final Duration every;
  private final Thread thread;
  private final List<Sample> samples = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final Object readLock = new Object();
  private volatile QueueState latest;
  private volatile boolean running = true;
  private int readErrors;

  RevisionSampler(QueueObject object, Duration every) {
    this.object = object;
    this.every = every;
    this.thread = new Thread(this::run, "chaos-revision-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running) {
      sampleOnce();
      synchronized (this) {
        try {
          wait(every.toMillis()); // the sampling period; close() wakes it
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /**
   * Reads the object once now and checks it against the previous read. Reads never overlap (the
   * sampler thread and a test thread may both call this), so the samples are in read order.
   */
  void sampleOnce() {
    synchronized (readLock) {
      readAndCheck();
    }
  }

  private void readAndCheck() {
    Optional<QueueState> s;
    try {
      s = object.read();
    } catch (StorageException e) {
      synchronized (this) {
        readErrors++;
      }
      return;
    } catch (RuntimeException e) {
      synchronized (this) {
        violations.add("unreadable queue object: " + e);
      }
      return;
    }
    if (s.isEmpty()) {
      return;
    }
    QueueState state = s.get();
    BrokerRecord b = state.broker();
    Sample now =
        new Sample(
            System.currentTimeMillis(),
            state.revision(),
            b == null ? null : b.id(),
            b == null ? null : b.address(),
            b == null ? 0 : b.epoch(),
            state.liveJobs().size(),
            state.counters().pushed(),
            state.counters().completed());
    synchronized (this) {
      if (!samples.isEmpty()) {
        Sample before = samples.get(samples.size() - 1);
        if (now.revision() < before.revision()) {
          violations.add("revision went backwards: " + before + " then " + now);
        }
        if (now.epoch() < before.epoch()) {
          violations.add("broker epoch went backwards: " + before + " then " + now);
        }
        if (now.epoch() == before.epoch()
            && before.brokerId() != null
            && !before.brokerId().equals(now.brokerId())) {
          violations.add("two brokers share epoch " + now.epoch() + ": " + before + " then " + now);
        }
      }
      samples.add(now);
      latest = state;
      notifyAll();
    }
  }

  /** The last state read (null before the object exists). */
  QueueState latest() {
    return latest;
  }

  synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  synchronized int readErrors() {
    return readErrors;
  }

  /** The first sample that matches, if any so far. */
  synchronized Optional<Sample> first(Predicate<Sample> p) {
    return samples.stream().filter(p).findFirst();
  }

  @Override
  public void close() {
    running = false;
    synchronized (this) {
      notifyAll();
    }
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
