package dev.casq.client;

import dev.casq.core.internal.BrokerRecord;
import java.net.URI;

/**
 * A broker the client sends requests to.
 *
 * @param base base URL without a trailing slash
 * @param brokerId the broker's id when known from the queue object or a redirect, else null
 * @param epoch the broker's epoch when known, else 0
 * @param local whether this client started that broker in its own process
 */
record Endpoint(URI base, String brokerId, long epoch, boolean local) {

  static Endpoint of(BrokerRecord r) {
    return new Endpoint(baseUri(r.address()), r.id(), r.epoch(), false);
  }

  static Endpoint fixed(String url) {
    return new Endpoint(baseUri(url), null, 0, false);
  }

  /** Whether {@code r} names this same broker. */
  boolean sameBroker(BrokerRecord r) {
    return r.epoch() == epoch && r.id().equals(brokerId) && baseUri(r.address()).equals(base);
  }

  static URI baseUri(String address) {
    String a = address.trim();
    while (a.endsWith("/")) {
      a = a.substring(0, a.length() - 1);
    }
    if (!a.contains("://")) {
      a = "http://" + a;
    }
    URI u;
    try {
      u = URI.create(a);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a broker address: '" + address + "'", e);
    }
    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
      throw new IllegalArgumentException(
          "broker address must be http:// or https://, got '" + address + "'");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("broker address has no host: '" + address + "'");
    }
    return u;
  }

  @Override
  public String toString() {
    return base + (brokerId == null ? "" : " (" + brokerId + ", epoch " + epoch + ")");
  }
}
