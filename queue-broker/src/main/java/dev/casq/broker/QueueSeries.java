package dev.casq.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The last samples of one queue, kept in the broker's memory for the dashboard's charts: a ring of
 * fixed size, so a broker that runs for months holds as much as one that just started. Thread-safe
 * (one sampler adds, requests read).
 */
final class QueueSeries {
  /** How far back the charts reach. */
  static final Duration WINDOW = Duration.ofMinutes(15);

  /** Samples kept at most, whatever the interval. */
  static final int MAX_SAMPLES = 1_000;

  private final QueueSample[] ring;
  private int next;
  private int size;

  /** A ring holding {@link #WINDOW} of samples taken every {@code interval}. */
  QueueSeries(Duration interval) {
    this(capacity(interval));
  }

  QueueSeries(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("a series needs room for 2 samples, not " + capacity);
    }
    this.ring = new QueueSample[capacity];
  }

  /** Samples that cover {@link #WINDOW} at {@code interval}, plus the one the first point needs. */
  static int capacity(Duration interval) {
    long millis = Math.max(1, interval.toMillis());
    return (int) Math.min(MAX_SAMPLES, WINDOW.toMillis() / millis + 1);
  }

  synchronized void add(QueueSample s) {
    ring[next] = s;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  /** One point per pair of consecutive samples, oldest first. */
  List<SeriesPoint> points() {
    QueueSample[] samples;
    synchronized (this) {
      samples = new QueueSample[size];
      int start = (next - size + ring.length) % ring.length;
      for (int i = 0; i < size; i++) {
        samples[i] = ring[(start + i) % ring.length];
      }
    }
    List<SeriesPoint> points = new ArrayList<>(Math.max(0, samples.length - 1));
    for (int i = 1; i < samples.length; i++) {
      points.add(SeriesPoint.between(samples[i - 1], samples[i]));
    }
    return points;
  }
}
