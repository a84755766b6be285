package dev.casq.wire;

import dev.casq.core.internal.BrokerRecord;
import java.time.Instant;

/**
 * A broker record as the API shows it.
 *
 * @param id the broker's id
 * @param address its base URL
 * @param epoch its fencing epoch
 * @param heartbeatAt its last heartbeat, or null where the API leaves it out (421 bodies)
 */
public record BrokerView(String id, String address, long epoch, Instant heartbeatAt) {
  /** The full view of a broker record. */
  public static BrokerView of(BrokerRecord b) {
    return new BrokerView(b.id(), b.address(), b.epoch(), b.heartbeatAt());
  }

  /** The short view (id, address, epoch) that 421 answers and hand-overs carry. */
  public static BrokerView shortOf(BrokerRecord b) {
    return new BrokerView(b.id(), b.address(), b.epoch(), null);
  }

  /** The broker record; a missing heartbeat reads as the epoch start. */
  public BrokerRecord toRecord() {
    return new BrokerRecord(id, address, epoch, heartbeatAt == null ? Instant.EPOCH : heartbeatAt);
  }
}
