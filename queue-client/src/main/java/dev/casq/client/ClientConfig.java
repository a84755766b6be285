package dev.casq.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** The validated settings of a {@link CasqClient}; built by {@link CasqClient.Builder}. */
record ClientConfig(
    String storeUri,
    Map<String, String> storeProperties,
    String brokerUrl,
    String queueName,
    String token,
    Duration connectTimeout,
    Duration requestTimeout,
    RetryPolicy retry,
    TakeoverPolicy takeover,
    Duration staleAfter,
    String inProcessHost,
    Duration inProcessShutdownTimeout,
    Duration healthTimeout,
    HttpClient.Version httpVersion,
    ObjectMapper objectMapper,
    Clock clock) {

  boolean storeMode() {
    return storeUri != null;
  }

  /** Where the client finds its broker, for messages (no secrets). */
  String origin() {
    return storeMode() ? "store " + redact(storeUri) : "broker " + brokerUrl;
  }

  /** The URI without a user-info part or query (which could carry credentials). */
  static String redact(String uri) {
    String s = uri;
    int q = s.indexOf('?');
    if (q >= 0) {
      s = s.substring(0, q);
    }
    int scheme = s.indexOf("://");
    int at = s.indexOf('@');
    int slash = scheme < 0 ? -1 : s.indexOf('/', scheme + 3);
    if (scheme >= 0 && at > scheme && (slash < 0 || at < slash)) {
      s = s.substring(0, scheme + 3) + "***@" + s.substring(at + 1);
    }
    return s;
  }
}
