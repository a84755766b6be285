package dev.casq.client;

import dev.casq.api.PushOptions;
import java.util.Objects;

/**
 * One job of {@link ClientQueue#pushAllJsonAsync}: a payload that is already JSON text (sent byte
 * for byte) and its own options (key, priority, delay or run-at, type, attempts).
 *
 * @param payloadJson one JSON value
 * @param options the job's options; without a key the job is pushed without one
 */
public record JsonPush(String payloadJson, PushOptions options) {
  /** Checks that both parts are there. */
  public JsonPush {
    Objects.requireNonNull(payloadJson, "payloadJson");
    Objects.requireNonNull(options, "options");
  }
}
