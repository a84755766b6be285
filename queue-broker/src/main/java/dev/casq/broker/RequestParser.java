package dev.casq.broker;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.casq.api.ClaimRequest;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.casq.core.PushRequest;
import dev.casq.core.QueuePolicy;
import dev.casq.storage.StoreProperties;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Turns request bodies into queue requests. Every check happens here, before anything reaches the
 * queue: malformed JSON, invalid UTF-8, nesting deeper than the limit, duplicate fields, wrong
 * types, missing fields, text that is not valid Unicode (lone surrogates) or longer than its
 * bound, and durations or instants outside {@link RequestLimits} all give an {@link ApiException}
 * 400 with a message naming the field. Unknown fields are ignored.
 */
final class RequestParser {
  static final Duration MAX_WAIT = RequestLimits.MAX_WAIT;
  static final int MAX_BATCH = RequestLimits.MAX_BATCH;

  /** Bound of short text fields such as durations and instants. */
  private static final int SHORT_TEXT = 64;

  private final ObjectMapper mapper;
  private final int maxDepth;

  RequestParser(int maxDepth) {
    this.maxDepth = maxDepth;
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();
  }

  /** Parses a body that must be one JSON object; an empty body is {} when {@code emptyIsObject}. */
  ObjectNode object(byte[] body, boolean emptyIsObject) {
    if (body.length == 0 || isBlank(body)) {
      if (emptyIsObject) {
        return mapper.createObjectNode();
      }
      throw ApiException.invalid("the request needs a JSON object body");
    }
    requireUtf8(body);
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (StreamConstraintsException e) {
      throw ApiException.invalid(
          "the JSON body is nested deeper than " + maxDepth + " levels or exceeds a size limit");
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("malformed JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
              + ", column " + e.getLocation().getColumnNr()));
    } catch (IOException e) {
      throw ApiException.invalid("unreadable body: " + e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw ApiException.invalid("the request needs a JSON object body");
    }
    if (!node.isObject()) {
      throw ApiException.invalid("the body must be a JSON object, got " + kind(node));
    }
    ObjectNode object = (ObjectNode) node;
    keepPayloadsAsSent(body, object);
    return object;
  }

  /**
   * Replaces the {@code payload} of a push body (and of each job of a batch) and the {@code
   * result} of a completion by its exact source text, so that it is stored byte for byte as the
   * client sent it: a tree would rewrite numbers ({@code 1e2}, {@code -0}), escapes and spacing.
   * Each is checked for valid Unicode first.
   */
  private void keepPayloadsAsSent(byte[] body, ObjectNode object) {
    try (JsonParser p = mapper.getFactory().createParser(body)) {
      p.nextToken(); // the body's START_OBJECT
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (("payload".equals(field) || "result".equals(field))
            && p.currentToken() != JsonToken.VALUE_NULL) {
          keepAsSent(object, field, p, body, "\"" + field + "\"");
        } else if ("jobs".equals(field) && p.currentToken() == JsonToken.START_ARRAY) {
          JsonNode jobs = object.get("jobs");
          for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
            if (p.currentToken() != JsonToken.START_OBJECT || !(jobs.get(i) instanceof ObjectNode job)) {
              p.skipChildren();
              continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              p.nextToken();
              if ("payload".equals(name)) {
                keepAsSent(job, "payload", p, body, "jobs[" + i + "]: \"payload\"");
              } else {
                p.skipChildren();
              }
            }
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw ApiException.invalid("unreadable body: " + e.getMessage()); // parsed once already
    }
  }

  private static void keepAsSent(ObjectNode holder, String field, JsonParser p, byte[] body,
      String where) throws IOException {
    requireUnicode(holder.get(field), where);
    int start = (int) p.currentTokenLocation().getByteOffset();
    if (p.currentToken().isStructStart()) {
      p.skipChildren();
    } else {
      p.finishToken(); // a string is read lazily: read it to its closing quote
    }
    int end = (int) p.currentLocation().getByteOffset();
    holder.putRawValue(field,
        new RawValue(new String(body, start, end - start, StandardCharsets.UTF_8)));
  }

  /** A push body: {@code payload} is required; the rest is optional. */
  PushRequest push(JsonNode body, String where) {
    if (!body.isObject()) {
      throw ApiException.invalid(where + "must be a JSON object, got " + kind(body));
    }
    JsonNode payload = body.get("payload");
    if (payload == null) {
      throw ApiException.invalid(where + "\"payload\" is required (any JSON value)");
    }
    if (!(payload instanceof POJONode)) { // kept as sent: checked when it was kept
      requireUnicode(payload, where + "\"payload\"");
    }
    Duration delay = optDuration(body, "delay", where);
    Instant runAt = optInstant(body, "runAt", where);
    if (delay != null && runAt != null) {
      throw ApiException.invalid(where + "give \"delay\" or \"runAt\", not both");
    }
    return new PushRequest(
        json(payload),
        optText(body, "type", where, RequestLimits.MAX_TYPE_CHARS),
        optInt(body, "priority", where),
        runAt,
        delay,
        optInt(body, "maxAttempts", where),
        optText(body, "key", where, RequestLimits.MAX_KEY_CHARS));
  }

  /** The {@code jobs} array of a batch push. */
  JsonNode batchJobs(JsonNode body) {
    JsonNode jobs = body.get("jobs");
    if (jobs == null || !jobs.isArray()) {
      throw ApiException.invalid("\"jobs\" must be an array of push bodies"
          + (jobs == null ? ", and it is missing" : ", got " + kind(jobs)));
    }
    if (jobs.size() > MAX_BATCH) {
      throw ApiException.invalid(
          "a batch holds at most " + MAX_BATCH + " jobs, got " + jobs.size());
    }
    return jobs;
  }

  /** A claim: the request and how long to wait for a job. */
  record Claim(ClaimRequest request, Duration waitFor) {}

  Claim claim(JsonNode body) {
    String worker = requiredText(body, "worker", RequestLimits.MAX_WORKER_CHARS);
    Duration lease = optDuration(body, "lease", "");
    Integer limit = optInt(body, "limit", "");
    if (limit != null && (limit < 1 || limit > QueuePolicy.MAX_CLAIM_BATCH)) {
      throw ApiException.invalid(
          "\"limit\" must be from 1 to " + QueuePolicy.MAX_CLAIM_BATCH + ", got " + limit);
    }
    Duration wait = optDuration(body, "wait", "");
    if (wait != null && wait.compareTo(MAX_WAIT) > 0) {
      throw ApiException.invalid(
          "\"wait\" must be at most " + MAX_WAIT.toSeconds() + "s, got " + body.get("wait").asText());
    }
    String requestId = optText(body, "requestId", "", RequestLimits.MAX_CLAIM_REQUEST_ID_CHARS);
    if (requestId != null && requestId.isBlank()) {
      throw ApiException.invalid("\"requestId\" must not be blank when given");
    }
    Set<String> types = new LinkedHashSet<>();
    JsonNode t = body.get("types");
    if (t != null && !t.isNull()) {
      if (!t.isArray()) {
        throw ApiException.invalid("\"types\" must be an array of strings, got " + kind(t));
      }
      if (t.size() > RequestLimits.MAX_CLAIM_TYPES) {
        throw ApiException.invalid("\"types\" holds at most " + RequestLimits.MAX_CLAIM_TYPES
            + " entries, got " + t.size());
      }
      for (JsonNode e : t) {
        if (!e.isTextual() || e.asText().isBlank()) {
          throw ApiException.invalid("\"types\" must hold non-empty strings, got " + kind(e));
        }
        types.add(checkedText(e.asText(), "", "types[]", RequestLimits.MAX_TYPE_CHARS));
      }
    }
    return new Claim(
        new ClaimRequest(worker, lease, limit == null ? 1 : limit, types, requestId),
        wait == null ? Duration.ZERO : wait);
  }

  String requiredText(JsonNode body, String field, int maxChars) {
    String v = optText(body, field, "", maxChars);
    if (v == null || v.isBlank()) {
      throw ApiException.invalid("\"" + field + "\" is required (a non-empty string)");
    }
    return v;
  }

  /** A lease token: required, bounded. */
  String leaseToken(JsonNode body) {
    return requiredText(body, "leaseToken", RequestLimits.MAX_LEASE_TOKEN_CHARS);
  }

  /** A text field: absent or null gives null; otherwise a string of valid Unicode, bounded. */
  String optText(JsonNode body, String field, String where, int maxChars) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.invalid(where + "\"" + field + "\" must be a string, got " + kind(n));
    }
    return checkedText(n.asText(), where, field, maxChars);
  }

  private static String checkedText(String v, String where, String field, int maxChars) {
    if (v.length() > maxChars) {
      throw ApiException.invalid(where + "\"" + field + "\" must be at most " + maxChars
          + " characters, got " + v.length());
    }
    int bad = loneSurrogateAt(v);
    if (bad >= 0) {
      throw ApiException.invalid(where + "\"" + field + "\" is not valid Unicode: a lone surrogate"
          + " at index " + bad);
    }
    return v;
  }

  /** Rejects any string or field name in {@code n} holding a lone surrogate. */
  static void requireUnicode(JsonNode n, String where) {
    if (n.isTextual()) {
      int bad = loneSurrogateAt(n.textValue());
      if (bad >= 0) {
        throw ApiException.invalid(where + " holds a string that is not valid Unicode (a lone"
            + " surrogate at index " + bad + ")");
      }
    } else if (n.isObject()) {
      for (var it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        if (loneSurrogateAt(e.getKey()) >= 0) {
          throw ApiException.invalid(where + " holds a field name that is not valid Unicode (a"
              + " lone surrogate)");
        }
        requireUnicode(e.getValue(), where);
      }
    } else if (n.isArray()) {
      for (JsonNode e : n) {
        requireUnicode(e, where);
      }
    }
  }

  /** The index of the first unpaired surrogate in {@code s}, or -1 when it is valid Unicode. */
  static int loneSurrogateAt(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  Integer optInt(JsonNode body, String field, String where) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw ApiException.invalid(where + "\"" + field + "\" must be a whole number, got "
          + kind(n));
    }
    return n.intValue();
  }

  Boolean optBoolean(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isBoolean()) {
      throw ApiException.invalid("\"" + field + "\" must be true or false, got " + kind(n));
    }
    return n.booleanValue();
  }

  /** A duration field: absent gives null; otherwise from 0 to {@link RequestLimits#MAX_DURATION}. */
  Duration optDuration(JsonNode body, String field, String where) {
    String text = optText(body, field, where, SHORT_TEXT);
    if (text == null) {
      return null;
    }
    Duration d;
    try {
      d = StoreProperties.parseDuration(field, text);
    } catch (RuntimeException e) {
      throw ApiException.invalid(where + "\"" + field + "\" must be a duration such as 250ms, 5s,"
          + " 2m or PT5S (not negative), got '" + text + "'");
    }
    if (d.compareTo(RequestLimits.MAX_DURATION) > 0) {
      throw ApiException.invalid(where + "\"" + field + "\" must be at most "
          + RequestLimits.MAX_DURATION.toDays() + " days, got '" + text + "'");
    }
    return d;
  }

  /** An instant field: absent gives null; otherwise from 1970 to the end of year 9999 (UTC). */
  Instant optInstant(JsonNode body, String field, String where) {
    String text = optText(body, field, where, SHORT_TEXT);
    if (text == null) {
      return null;
    }
    Instant at;
    try {
      at = OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        at = Instant.parse(text);
      } catch (DateTimeParseException e2) {
        throw ApiException.invalid(where + "\"" + field + "\" must be an ISO-8601 instant such as"
            + " 2026-01-31T12:00:00Z, got '" + text + "'");
      }
    }
    if (at.isBefore(RequestLimits.MIN_INSTANT) || at.isAfter(RequestLimits.MAX_INSTANT)) {
      throw ApiException.invalid(where + "\"" + field + "\" must lie between "
          + RequestLimits.MIN_INSTANT + " and " + RequestLimits.MAX_INSTANT + ", got '" + text + "'");
    }
    return at;
  }

  /** The compact JSON text of a value, or null when absent or JSON null. */
  String optJson(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!(n instanceof POJONode)) { // kept as sent: checked when it was kept
      requireUnicode(n, "\"" + field + "\"");
    }
    return json(n);
  }

  String json(JsonNode n) {
    if (n instanceof POJONode raw && raw.getPojo() instanceof RawValue text) {
      return (String) text.rawValue();
    }
    try {
      return mapper.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid("a JSON value cannot be written back: " + e.getOriginalMessage());
    }
  }

  static String kind(JsonNode n) {
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isIntegralNumber()) {
      return "an integer";
    }
    if (n.isNumber()) {
      return "a number";
    }
    if (n.isBoolean()) {
      return "a boolean";
    }
    if (n.isArray()) {
      return "an array";
    }
    if (n.isObject()) {
      return "an object";
    }
    return n.isNull() ? "null" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Rejects a body that is not well-formed UTF-8. The JSON parser decodes some ill-formed
   * sequences (overlong forms, code points past U+10FFFF) into other characters instead of
   * refusing them, which would store text the client never sent.
   */
  static void requireUtf8(byte[] body) {
    int i = 0;
    while (i < body.length && body[i] >= 0) {
      i++; // ASCII, the usual case: nothing to decode
    }
    if (i == body.length) {
      return;
    }
    try {
      java.nio.charset.StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body, i, body.length - i));
    } catch (java.nio.charset.CharacterCodingException e) {
      throw ApiException.invalid("malformed JSON: the body is not valid UTF-8 (" + e.getMessage()
          + ")");
    }
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

}
