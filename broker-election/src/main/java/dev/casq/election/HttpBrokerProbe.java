package dev.casq.election;

import dev.casq.core.internal.BrokerRecord;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * Sends {@code GET /health} to a recorded broker's address and reports the answer as a {@link
 * ProbeResult}; nothing more (the rule is {@link TakeoverRule}). A timeout is tried once more, so
 * that one slow answer (a cold client, a busy machine) does not make a live broker look gone.
 */
public final class HttpBrokerProbe implements BrokerProbe {
  private final HttpClient client;
  private final Duration timeout;
  private final String queueName;

  /**
   * @param client the HTTP client to send with
   * @param timeout how long to wait for each answer
   * @param queueName the queue whose entry in the answer matters, or null
   */
  public HttpBrokerProbe(HttpClient client, Duration timeout, String queueName) {
    this.client = Objects.requireNonNull(client, "client");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.queueName = queueName;
  }

  /** A probe with its own HTTP client (connect timeout = {@code timeout}). */
  public static HttpBrokerProbe create(Duration timeout, String queueName) {
    return new HttpBrokerProbe(
        HttpClient.newBuilder().connectTimeout(timeout).build(), timeout, queueName);
  }

  /** The same probe asking about another queue. */
  public HttpBrokerProbe forQueue(String name) {
    return new HttpBrokerProbe(client, timeout, name);
  }

  @Override
  public ProbeResult probe(BrokerRecord record) {
    URI uri;
    try {
      String base = record.address().trim().replaceAll("/+$", "");
      uri = URI.create((base.contains("://") ? base : "http://" + base) + "/health");
    } catch (IllegalArgumentException e) {
      return ProbeResult.refused("unusable address " + record.address());
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return ProbeResult.ofHealth(r.statusCode(), r.body(), queueName);
      } catch (HttpTimeoutException e) {
        if (attempt >= 2) {
          return ProbeResult.timedOut(uri + " did not answer twice within " + timeout);
        }
      } catch (ConnectException e) {
        return ProbeResult.refused(uri + ": " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ProbeResult.timedOut("interrupted while asking " + uri);
      } catch (Exception e) {
        return ProbeResult.refused(uri + ": " + e);
      }
    }
  }
}
