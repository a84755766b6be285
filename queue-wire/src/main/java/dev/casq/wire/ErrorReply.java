package dev.casq.wire;

/**
 * An error answer: {@code {"error": {"code": ..., "message": ...}, "broker": ...}}.
 *
 * @param code the code as on the wire (kept as text: a newer broker may send one this version does
 *     not know; {@link #errorCode()} reads it)
 * @param message what went wrong, for people
 * @param broker the broker that serves the queue, on 421 answers; else null
 */
public record ErrorReply(String code, String message, BrokerView broker) {
  /** An error of a known code. */
  public static ErrorReply of(ErrorCode code, String message) {
    return new ErrorReply(code.wireName(), message, null);
  }

  /** The code, when this version knows it. */
  public java.util.Optional<ErrorCode> errorCode() {
    return ErrorCode.ofWire(code);
  }
}
