package dev.casq.broker;

import dev.casq.core.internal.BrokerRecord;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The brokers of one queue as this broker saw them come and go, newest last, for the dashboard: the
 * record it found before claiming, its own claim, and who took the queue over or was handed it.
 * Kept in memory, bounded; the queue object itself records only the current broker.
 */
final class EpochHistory {
  /** Entries kept at most. */
  static final int MAX_ENTRIES = 32;

  /** What happened to the queue's broker. */
  enum Event {
    /** The broker recorded in the queue object when this broker went to claim it. */
    FOUND,
    /** This broker claimed the queue. */
    CLAIMED,
    /** This broker handed the queue over (to the broker named, when one was). */
    HANDED_OVER,
    /** A newer broker took the queue over. */
    FENCED;

    String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One entry.
   *
   * @param event what happened
   * @param broker the broker it names (null when a hand-over named no successor)
   * @param at when this broker saw it
   */
  record Entry(Event event, BrokerRecord broker, Instant at) {}

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();

  synchronized void add(Event event, BrokerRecord broker, Instant at) {
    if (entries.size() == MAX_ENTRIES) {
      entries.removeFirst();
    }
    entries.addLast(new Entry(event, broker, at));
  }

  synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }
}
