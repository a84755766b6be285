package dev.casq.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The broker that serves a queue, as recorded in the queue object.
 *
 * @param id unique id of the broker process
 * @param address base URL clients use, e.g. {@code http://10.0.0.5:8080}
 * @param epoch increases with every takeover; a broker whose epoch is lower than the recorded one
 *     is fenced
 * @param heartbeatAt last time the broker refreshed this record
 * @param heartbeatInterval how often the broker declared it refreshes the record; null when the
 *     record does not say (written by an earlier version)
 * @param staleAfter the heartbeat age after which the broker declared it may be taken over; null
 *     when the record does not say. Readers bound it before using it (see broker-election's {@code
 *     Staleness}); the record keeps what was written.
 */
public record BrokerRecord(
    String id,
    String address,
    long epoch,
    Instant heartbeatAt,
    Duration heartbeatInterval,
    Duration staleAfter) {
  /**
   * Creates a record; see the class comment for the fields.
   *
   * @param id the broker id
   * @param address the base URL
   * @param epoch the epoch, at least 1
   * @param heartbeatAt the last heartbeat
   * @param heartbeatInterval the declared heartbeat interval, or null
   * @param staleAfter the declared staleness, or null
   * @throws IllegalArgumentException if {@code epoch} is below 1
   */
  public BrokerRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(heartbeatAt, "heartbeatAt");
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be >= 1");
    }
  }

  /** A record that declares no timing (readers use their configured staleness). */
  public BrokerRecord(String id, String address, long epoch, Instant heartbeatAt) {
    this(id, address, epoch, heartbeatAt, null, null);
  }

  /** The same record with the heartbeat at {@code at}; the declared timing is kept. */
  public BrokerRecord withHeartbeat(Instant at) {
    return new BrokerRecord(id, address, epoch, at, heartbeatInterval, staleAfter);
  }

  /** The same record declaring {@code heartbeatInterval} and {@code staleAfter}. */
  public BrokerRecord declaring(Duration heartbeatInterval, Duration staleAfter) {
    return new BrokerRecord(id, address, epoch, heartbeatAt, heartbeatInterval, staleAfter);
  }
}
