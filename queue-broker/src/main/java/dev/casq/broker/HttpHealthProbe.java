package dev.casq.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.core.BrokerRecord;
import dev.casq.election.BrokerProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a recorded broker's {@code GET /health}: it answers when it returns 200 with the recorded
 * broker id (a different process now listening on that address does not count).
 */
public final class HttpHealthProbe implements BrokerProbe {
  private static final Logger log = LoggerFactory.getLogger(HttpHealthProbe.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final Duration timeout;

  /** @param timeout how long to wait for the answer (connect and response) */
  public HttpHealthProbe(Duration timeout) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * True when {@code GET /health} answers 200 with the record's broker id. A refused connection
   * counts as no answer at once; a timeout is tried once more, so that one slow answer (a cold
   * client, a busy machine) does not make a live broker look gone.
   */
  @Override
  public boolean answers(BrokerRecord record) {
    URI uri;
    try {
      uri = URI.create(record.address().replaceAll("/+$", "") + "/health");
    } catch (IllegalArgumentException e) {
      log.debug("broker {} has an unusable address {}", record.id(), record.address());
      return false;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        HttpResponse<String> r =
            client.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          log.debug("{} answered {}", uri, r.statusCode());
          return false;
        }
        JsonNode body = JSON.readTree(r.body());
        return record.id().equals(body.path("brokerId").asText(null));
      } catch (java.net.http.HttpTimeoutException e) {
        if (attempt >= 2) {
          log.debug("broker {} at {} did not answer twice within {}", record.id(), uri, timeout);
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (Exception e) {
        log.debug("broker {} at {} does not answer: {}", record.id(), uri, e.toString());
        return false;
      }
    }
  }
}
