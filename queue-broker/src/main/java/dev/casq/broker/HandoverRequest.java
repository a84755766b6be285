package dev.casq.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.casq.core.internal.BrokerRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * What a broker started with {@code handover(true)} sends to the live broker of a queue: {@code
 * POST /admin/handover} naming the queue and itself as the successor. The answer comes once the
 * live broker has resigned the queue at a clean point.
 */
final class HandoverRequest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private HandoverRequest() {}

  /**
   * Asks {@code live} to hand {@code queue} over to broker {@code successorId} at {@code
   * successorAddress}.
   *
   * @return the live broker's record as resigned
   * @throws BrokerConfigurationException when the live broker refuses (wrong token, no token, not
   *     serving the queue) or does not answer in {@code timeout}
   */
  static BrokerRecord send(
      BrokerRecord live,
      String queue,
      String successorId,
      String successorAddress,
      String token,
      Duration timeout) {
    ObjectNode body = JSON.createObjectNode();
    body.putArray("queues").add(queue);
    ObjectNode successor = body.putObject("successor");
    successor.put("id", successorId);
    successor.put("address", successorAddress);
    String where = "broker " + live.id() + " at " + live.address();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(live.address().replaceAll("/+$", "") + "/admin/handover"))
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header("Authorization", "Bearer " + token)
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
              .build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      String text = new String(response.body(), StandardCharsets.UTF_8);
      if (response.statusCode() != 200) {
        throw new BrokerConfigurationException(
            "the hand-over of queue "
                + queue
                + " was refused"
                + " by "
                + where
                + ": "
                + response.statusCode()
                + " "
                + text.strip());
      }
      JsonNode resigned = JSON.readTree(text).path("queues").path(queue).path("resigned");
      if (!resigned.isObject()) {
        throw new BrokerConfigurationException(
            where
                + " answered the hand-over of queue "
                + queue
                + " without its resigned record: "
                + text.strip());
      }
      return new BrokerRecord(
          resigned.path("id").asText(),
          resigned.path("address").asText(),
          resigned.path("epoch").asLong(),
          Instant.EPOCH);
    } catch (IOException e) {
      throw new BrokerConfigurationException(
          "could not ask " + where + " to hand queue " + queue + " over: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.casq.api.QueueClosedException(
          "interrupted while asking " + where + " to hand queue " + queue + " over");
    }
  }
}
