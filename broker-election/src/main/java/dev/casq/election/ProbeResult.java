package dev.casq.election;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.casq.core.internal.BrokerRecord;
import java.io.IOException;
import java.util.Objects;

/**
 * What a recorded broker's address answered to {@code GET /health}, reduced to what {@link
 * TakeoverRule} needs. Built by the transport (see {@link HttpBrokerProbe}); the rule never does
 * I/O.
 *
 * @param outcome how the probe ended
 * @param httpStatus the HTTP status when an answer came, else 0
 * @param brokerId the {@code brokerId} the answer names, or null
 * @param status the answer's top-level {@code status} ({@code ok}, {@code starting}, {@code
 *     stopping}, {@code fenced}, ...), or null
 * @param queueStatus the status the answer gives for the queue asked about ({@code serving}, {@code
 *     fenced}, {@code closed}, ...), or null when it lists no such queue
 * @param detail a short description for logs
 */
public record ProbeResult(
    Outcome outcome,
    int httpStatus,
    String brokerId,
    String status,
    String queueStatus,
    String detail) {

  private static final JsonFactory JSON = new JsonFactory();

  /** How a probe ended. */
  public enum Outcome {
    /** Nobody listens at the address (connection refused, unknown host, unusable address). */
    REFUSED,
    /** No answer in time. */
    TIMED_OUT,
    /** An HTTP answer with a readable JSON body. */
    ANSWERED,
    /** An HTTP answer whose body is not the JSON of a casq broker's health. */
    UNREADABLE,
    /** The address was not asked (the decision did not need it). */
    NOT_ASKED
  }

  public ProbeResult {
    Objects.requireNonNull(outcome, "outcome");
  }

  /** Nobody listens at the address. */
  public static ProbeResult refused(String detail) {
    return new ProbeResult(Outcome.REFUSED, 0, null, null, null, detail);
  }

  /** No answer within the probe's timeout. */
  public static ProbeResult timedOut(String detail) {
    return new ProbeResult(Outcome.TIMED_OUT, 0, null, null, null, detail);
  }

  /** The address was not probed. */
  public static ProbeResult notAsked() {
    return new ProbeResult(Outcome.NOT_ASKED, 0, null, null, null, "not asked");
  }

  /** The answer a live broker of {@code record} gives (for tests and stubs). */
  public static ProbeResult healthyAnswerOf(BrokerRecord record) {
    return new ProbeResult(Outcome.ANSWERED, 200, record.id(), "ok", "serving", "200 ok");
  }

  /**
   * Reads a {@code /health} answer leniently: unknown fields are ignored, missing ones are null.
   *
   * @param httpStatus the HTTP status
   * @param body the body (may be empty)
   * @param queueName the queue whose entry under {@code queues} to read, or null
   */
  public static ProbeResult ofHealth(int httpStatus, byte[] body, String queueName) {
    String brokerId = null;
    String status = null;
    String queueStatus = null;
    try (JsonParser p = JSON.createParser(body == null ? new byte[0] : body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return unreadable(httpStatus, "not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("brokerId".equals(field) && value == JsonToken.VALUE_STRING) {
          brokerId = p.getText();
        } else if ("status".equals(field) && value == JsonToken.VALUE_STRING) {
          status = p.getText();
        } else if ("queues".equals(field) && value == JsonToken.START_OBJECT) {
          queueStatus = queueStatus(p, queueName);
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      return unreadable(httpStatus, "body is not JSON");
    }
    return new ProbeResult(
        Outcome.ANSWERED,
        httpStatus,
        brokerId,
        status,
        queueStatus,
        httpStatus + " " + status + (brokerId == null ? "" : " from " + brokerId));
  }

  private static ProbeResult unreadable(int httpStatus, String why) {
    return new ProbeResult(
        Outcome.UNREADABLE, httpStatus, null, null, null, httpStatus + ": " + why);
  }

  /** Inside {@code "queues": {...}}: the status of {@code queueName}; skips the rest. */
  private static String queueStatus(JsonParser p, String queueName) throws IOException {
    String found = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (name.equals(queueName) && value == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken v = p.nextToken();
          if ("status".equals(field) && v == JsonToken.VALUE_STRING) {
            found = p.getText();
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    return found;
  }
}
