package dev.casq.core;

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
 */
public record BrokerRecord(String id, String address, long epoch, Instant heartbeatAt) {
  public BrokerRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(heartbeatAt, "heartbeatAt");
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be >= 1");
    }
  }

  public BrokerRecord withHeartbeat(Instant at) {
    return new BrokerRecord(id, address, epoch, at);
  }
}
