package dev.casq.broker;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Objects;

/**
 * One queue a broker serves.
 *
 * @param name the name in the API path ({@code /v1/queues/{name}})
 * @param storeUri the queue object, e.g. {@code s3://bucket/queues/emails.json}
 * @param storeProperties properties of that store (on top of the broker-wide ones)
 */
public record QueueSpec(String name, String storeUri, Map<String, String> storeProperties) {
  public QueueSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(storeUri, "storeUri");
    storeProperties = Map.copyOf(storeProperties == null ? Map.of() : storeProperties);
  }

  /** The store URI without user info, query or fragment (where secrets could hide). */
  public String redactedStoreUri() {
    return redact(storeUri);
  }

  static String redact(String uri) {
    try {
      URI u = new URI(uri.trim());
      if (u.isOpaque() || u.getScheme() == null) {
        return "(store URI without scheme)";
      }
      String authority = u.getRawAuthority() == null ? "" : u.getRawAuthority();
      authority = authority.substring(authority.lastIndexOf('@') + 1);
      return u.getScheme() + "://" + authority + (u.getRawPath() == null ? "" : u.getRawPath());
    } catch (URISyntaxException e) {
      return "(unparseable store URI)";
    }
  }

  @Override
  public String toString() {
    return "QueueSpec[" + name + " " + redactedStoreUri() + " " + storeProperties.keySet() + "]";
  }
}
