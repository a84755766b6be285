package dev.casq.broker;

import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerProbe;
import dev.casq.election.HttpBrokerProbe;
import dev.casq.election.ProbeResult;
import java.time.Duration;
import java.util.Objects;

/**
 * The broker's probe of a recorded broker's {@code GET /health}: the transport of broker-election's
 * {@link HttpBrokerProbe}; what the answer means is decided by {@code TakeoverRule}.
 */
public final class HttpHealthProbe implements BrokerProbe {
  private final HttpBrokerProbe probe;

  /**
   * @param timeout how long to wait for the answer (connect and response)
   */
  public HttpHealthProbe(Duration timeout) {
    this(HttpBrokerProbe.create(Objects.requireNonNull(timeout, "timeout"), null));
  }

  private HttpHealthProbe(HttpBrokerProbe probe) {
    this.probe = probe;
  }

  /** The same probe reading the entry of queue {@code name} in the answer. */
  public HttpHealthProbe forQueue(String name) {
    return new HttpHealthProbe(probe.forQueue(name));
  }

  @Override
  public ProbeResult probe(BrokerRecord record) {
    return probe.probe(record);
  }
}
