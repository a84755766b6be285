package dev.casq.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.casq.storage.StoreProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads request bodies into their records, strictly: malformed JSON, invalid UTF-8, nesting deeper
 * than the limit, duplicate fields, unknown fields, wrong types, missing fields, text that is not
 * valid Unicode (lone surrogates) or longer than its bound, and durations or instants outside
 * {@link WireLimits} all give a {@link WireFormatException} naming the field. Payloads and results
 * are kept as the exact text sent. Thread-safe.
 *
 * <p>Unknown fields are refused, not ignored: a misspelt optional field ({@code extendBy} for
 * {@code extend}) would otherwise change the request's meaning silently.
 */
public final class WireReader {
  /** The fields of a push body. */
  public static final Set<String> PUSH_FIELDS =
      Set.of("payload", "type", "priority", "runAt", "delay", "maxAttempts", "key");

  /** The fields of a batch push body. */
  public static final Set<String> BATCH_FIELDS = Set.of("jobs");

  /** The fields of a claim body. */
  public static final Set<String> CLAIM_FIELDS =
      Set.of("worker", "lease", "limit", "wait", "types", "requestId");

  /** The fields of a heartbeat body. */
  public static final Set<String> HEARTBEAT_FIELDS = Set.of("leaseToken", "extend");

  /** The fields of a completion body. */
  public static final Set<String> COMPLETE_FIELDS = Set.of("leaseToken", "result");

  /** The fields of a batch completion body. */
  public static final Set<String> COMPLETE_ALL_FIELDS = Set.of("jobs");

  /** The fields of one job of a batch completion. */
  public static final Set<String> COMPLETE_ITEM_FIELDS = Set.of("id", "leaseToken", "result");

  /** The fields of a failure body. */
  public static final Set<String> FAIL_FIELDS = Set.of("leaseToken", "error", "retry");

  /** The fields of a release body. */
  public static final Set<String> RELEASE_FIELDS = Set.of("leaseToken");

  /** The fields of a cancel body (none; the body may be empty). */
  public static final Set<String> CANCEL_FIELDS = Set.of();

  /** The fields of a hand-over body. */
  /** Fields of a retry or purge of dead jobs by filter. */
  public static final Set<String> DEAD_FILTER_FIELDS = Set.of("type", "createdFrom", "createdTo");

  /** Fields of a retry or purge of one dead job (none). */
  public static final Set<String> DEAD_JOB_FIELDS = Set.of();

  /** Fields of a hand-over. */
  public static final Set<String> HANDOVER_FIELDS = Set.of("queues", "successor");

  /** The fields of a hand-over's successor. */
  public static final Set<String> SUCCESSOR_FIELDS = Set.of("id", "address");

  /** Bound of short text fields such as durations and instants. */
  private static final int SHORT_TEXT = 64;

  private final ObjectMapper mapper;
  private final int maxDepth;

  /** A reader with the default nesting bound ({@link WireLimits#DEFAULT_MAX_DEPTH}). */
  public WireReader() {
    this(WireLimits.DEFAULT_MAX_DEPTH);
  }

  /**
   * @param maxDepth the deepest JSON nesting accepted in a body
   */
  public WireReader(int maxDepth) {
    if (maxDepth < 2) {
      throw new IllegalArgumentException("maxDepth must be at least 2, got " + maxDepth);
    }
    this.maxDepth = maxDepth;
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(maxDepth).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper =
        JsonMapper.builder(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();
  }

  // ------------------------------------------------------------------ requests

  /** A push body: {@code payload} is required; the rest is optional. */
  public PushBody readPush(byte[] body) {
    return push(object(body, false), "");
  }

  /**
   * A batch push: each entry is read on its own, so a bad one refuses only itself; a body that is
   * not {@code {"jobs": [...]}} with at most {@link WireLimits#MAX_BATCH} entries is refused whole.
   */
  public List<BatchItem> readBatch(byte[] body) {
    ObjectNode o = object(body, false);
    onlyFields(o, BATCH_FIELDS, "");
    JsonNode jobs = o.get("jobs");
    if (jobs == null || !jobs.isArray()) {
      throw invalid(
          "\"jobs\" must be an array of push bodies"
              + (jobs == null ? ", and it is missing" : ", got " + kind(jobs)));
    }
    if (jobs.size() > WireLimits.MAX_BATCH) {
      throw invalid("a batch holds at most " + WireLimits.MAX_BATCH + " jobs, got " + jobs.size());
    }
    List<BatchItem> items = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      try {
        items.add(BatchItem.of(push(jobs.get(i), "jobs[" + i + "]: ")));
      } catch (WireFormatException e) {
        items.add(BatchItem.refused(e));
      }
    }
    return items;
  }

  /** A claim: {@code worker} is required. */
  public ClaimBody readClaim(byte[] body) {
    ObjectNode o = object(body, false);
    onlyFields(o, CLAIM_FIELDS, "");
    String worker = requiredText(o, "worker", WireLimits.MAX_WORKER_CHARS);
    Duration lease = optDuration(o, "lease", "");
    Integer limit = optInt(o, "limit", "");
    if (limit != null && (limit < 1 || limit > WireLimits.MAX_CLAIM_LIMIT)) {
      throw invalid("\"limit\" must be from 1 to " + WireLimits.MAX_CLAIM_LIMIT + ", got " + limit);
    }
    Duration wait = optDuration(o, "wait", "");
    if (wait != null && wait.compareTo(WireLimits.MAX_WAIT) > 0) {
      throw invalid(
          "\"wait\" must be at most "
              + WireLimits.MAX_WAIT.toSeconds()
              + "s, got "
              + o.get("wait").asText());
    }
    String requestId = optText(o, "requestId", "", WireLimits.MAX_CLAIM_REQUEST_ID_CHARS);
    if (requestId != null && requestId.isBlank()) {
      throw invalid("\"requestId\" must not be blank when given");
    }
    Set<String> types = new LinkedHashSet<>();
    JsonNode t = o.get("types");
    if (t != null && !t.isNull()) {
      if (!t.isArray()) {
        throw invalid("\"types\" must be an array of strings, got " + kind(t));
      }
      if (t.size() > WireLimits.MAX_CLAIM_TYPES) {
        throw invalid(
            "\"types\" holds at most " + WireLimits.MAX_CLAIM_TYPES + " entries, got " + t.size());
      }
      for (JsonNode e : t) {
        if (!e.isTextual() || e.asText().isBlank()) {
          throw invalid("\"types\" must hold non-empty strings, got " + kind(e));
        }
        types.add(checkedText(e.asText(), "", "types[]", WireLimits.MAX_TYPE_CHARS));
      }
    }
    return new ClaimBody(
        worker,
        lease,
        limit == null ? 1 : limit,
        wait == null ? Duration.ZERO : wait,
        types,
        requestId);
  }

  /** A heartbeat: {@code leaseToken} is required. */
  public HeartbeatBody readHeartbeat(byte[] body) {
    ObjectNode o = object(body, false);
    onlyFields(o, HEARTBEAT_FIELDS, "");
    return new HeartbeatBody(leaseToken(o), optDuration(o, "extend", ""));
  }

  /** A completion: {@code leaseToken} is required, {@code result} any JSON value. */
  public CompleteBody readComplete(byte[] body) {
    ObjectNode o = object(body, false);
    onlyFields(o, COMPLETE_FIELDS, "");
    return new CompleteBody(leaseToken(o), optJson(o, "result"));
  }

  /**
   * A batch completion: {@code {"jobs": [{"id", "leaseToken", "result"?}, ...]}} with at most
   * {@link WireLimits#MAX_COMPLETE_BATCH} jobs, each id at most once. Unlike a batch push, a
   * malformed entry refuses the whole request (nothing is completed): only the queue's verdict on
   * each job (lease rejected, not found) is given job by job.
   */
  public CompleteAllBody readCompleteAll(byte[] body) {
    ObjectNode o = object(body, false);
    onlyFields(o, COMPLETE_ALL_FIELDS, "");
    JsonNode jobs = o.get("jobs");
    if (jobs == null || !jobs.isArray()) {
      throw invalid(
          "\"jobs\" must be an array of {\"id\", \"leaseToken\", \"result\"} objects"
              + (jobs == null ? ", and it is missing" : ", got " + kind(jobs)));
    }
    if (jobs.size() > WireLimits.MAX_COMPLETE_BATCH) {
      throw invalid(
          "a batch completion holds at most "
              + WireLimits.MAX_COMPLETE_BATCH
              + " jobs, got "
              + jobs.size());
    }
    List<CompleteAllBody.Item> items = new ArrayList<>(jobs.size());
    Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < jobs.size(); i++) {
      JsonNode j = jobs.get(i);
      String where = "jobs[" + i + "]: ";
      if (!j.isObject()) {
        throw invalid(where + "must be a JSON object, got " + kind(j));
      }
      onlyFields(j, COMPLETE_ITEM_FIELDS, where);
      String id = requiredText(j, "id", where, WireLimits.MAX_JOB_ID_CHARS);
      if (!ids.add(id)) {
        throw invalid(where + "job \"" + id + "\" appears more than once in the batch");
      }
      String token = requiredText(j, "leaseToken", where, WireLimits.MAX_LEASE_TOKEN_CHARS);
      items.add(new CompleteAllBody.Item(id, token, optJson(j, "result", where)));
    }
    return new CompleteAllBody(items);
  }

  /** A failed attempt: {@code leaseToken} is required; {@code retry} defaults to true. */
  public FailBody readFail(byte[] body) {
    ObjectNode o = object(body, false);
    onlyFields(o, FAIL_FIELDS, "");
    String token = leaseToken(o);
    String error = optText(o, "error", "", WireLimits.MAX_ERROR_CHARS);
    Boolean retry = optBoolean(o, "retry");
    return new FailBody(token, error, retry == null || retry);
  }

  /** A release: {@code leaseToken} is required. */
  public ReleaseBody readRelease(byte[] body) {
    ObjectNode o = object(body, false);
    onlyFields(o, RELEASE_FIELDS, "");
    return new ReleaseBody(leaseToken(o));
  }

  /** A cancel: the body is empty or {@code {}}. */
  public void readCancel(byte[] body) {
    onlyFields(object(body, true), CANCEL_FIELDS, "");
  }

  // ------------------------------------------------------------------ dead jobs

  /** A retry or purge of one dead job: the body is empty or {@code {}}. */
  public void readDeadJob(byte[] body) {
    onlyFields(object(body, true), DEAD_JOB_FIELDS, "");
  }

  /** A retry or purge of dead jobs by filter: every field optional; the body may be empty. */
  public DeadFilterBody readDeadFilter(byte[] body) {
    ObjectNode o = object(body, true);
    onlyFields(o, DEAD_FILTER_FIELDS, "");
    return new DeadFilterBody(
        optText(o, "type", "", WireLimits.MAX_TYPE_CHARS),
        optInstant(o, "createdFrom", ""),
        optInstant(o, "createdTo", ""));
  }

  /** A hand-over: every part is optional; the body may be empty. */
  public HandoverBody readHandover(byte[] body) {
    ObjectNode o = object(body, true);
    onlyFields(o, HANDOVER_FIELDS, "");
    List<String> names = new ArrayList<>();
    JsonNode qs = o.get("queues");
    if (qs != null && !qs.isNull()) {
      if (!qs.isArray()) {
        throw invalid("\"queues\" must be an array of queue names, got " + kind(qs));
      }
      for (JsonNode n : qs) {
        if (!n.isTextual() || n.asText().isBlank()) {
          throw invalid("\"queues\" must be an array of queue names, got " + kind(n));
        }
        names.add(checkedText(n.asText(), "", "queues[]", 256));
      }
    }
    String id = null;
    String address = null;
    JsonNode successor = o.get("successor");
    if (successor != null && !successor.isNull()) {
      if (!successor.isObject()) {
        throw invalid(
            "\"successor\" must be an object with \"id\" and \"address\", got " + kind(successor));
      }
      onlyFields(successor, SUCCESSOR_FIELDS, "successor: ");
      id = requiredText(successor, "id", WireLimits.MAX_BROKER_ID_CHARS);
      address = requiredText(successor, "address", WireLimits.MAX_ADDRESS_CHARS);
      if (!address.startsWith("http://") && !address.startsWith("https://")) {
        throw invalid("\"successor.address\" must be a base URL such as" + " http://10.0.0.6:8420");
      }
    }
    return new HandoverBody(names, id, address);
  }

  private PushBody push(JsonNode body, String where) {
    if (!body.isObject()) {
      throw invalid(where + "must be a JSON object, got " + kind(body));
    }
    onlyFields(body, PUSH_FIELDS, where);
    JsonNode payload = body.get("payload");
    if (payload == null) {
      throw invalid(where + "\"payload\" is required (any JSON value)");
    }
    if (!(payload instanceof POJONode)) { // kept as sent: checked when it was kept
      requireUnicode(payload, where + "\"payload\"");
    }
    Duration delay = optDuration(body, "delay", where);
    Instant runAt = optInstant(body, "runAt", where);
    if (delay != null && runAt != null) {
      throw invalid(where + "give \"delay\" or \"runAt\", not both");
    }
    return new PushBody(
        json(payload),
        optText(body, "type", where, WireLimits.MAX_TYPE_CHARS),
        optInt(body, "priority", where),
        runAt,
        delay,
        optInt(body, "maxAttempts", where),
        optText(body, "key", where, WireLimits.MAX_KEY_CHARS));
  }

  /** Refuses a field of {@code body} that is not in {@code known}, naming it and the known ones. */
  private static void onlyFields(JsonNode body, Set<String> known, String where) {
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        String shown =
            loneSurrogateAt(f) >= 0 || f.length() > 64
                ? "(a field name that is not valid Unicode or over 64 characters)"
                : "\"" + f + "\"";
        throw invalid(
            where
                + "unknown field "
                + shown
                + "; "
                + (known.isEmpty()
                    ? "this request takes no fields"
                    : "this request takes " + String.join(", ", new java.util.TreeSet<>(known))));
      }
    }
  }

  private static WireFormatException invalid(String message) {
    return new WireFormatException(message);
  }

  /** Parses a body that must be one JSON object; an empty body is {} when {@code emptyIsObject}. */
  private ObjectNode object(byte[] body, boolean emptyIsObject) {
    if (body.length == 0 || isBlank(body)) {
      if (emptyIsObject) {
        return mapper.createObjectNode();
      }
      throw invalid("the request needs a JSON object body");
    }
    requireUtf8(body);
    JsonNode node;
    try {
      node = mapper.readTree(body);
    } catch (StreamConstraintsException e) {
      throw invalid(
          "the JSON body is nested deeper than " + maxDepth + " levels or exceeds a size limit");
    } catch (JsonProcessingException e) {
      throw invalid(
          "malformed JSON: "
              + e.getOriginalMessage()
              + (e.getLocation() == null
                  ? ""
                  : " at line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()));
    } catch (IOException e) {
      throw invalid("unreadable body: " + e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw invalid("the request needs a JSON object body");
    }
    if (!node.isObject()) {
      throw invalid("the body must be a JSON object, got " + kind(node));
    }
    ObjectNode object = (ObjectNode) node;
    keepPayloadsAsSent(mapper.getFactory(), body, object);
    return object;
  }

  /**
   * Replaces the {@code payload} of a push body (and of each job of a batch) and the {@code result}
   * of a completion (and of each job of a batch completion) by its exact source text, so that it is
   * stored byte for byte as the client sent it: a tree would rewrite numbers ({@code 1e2}, {@code
   * -0}), escapes and spacing. Each is checked for valid Unicode first.
   */
  static void keepPayloadsAsSent(JsonFactory factory, byte[] body, ObjectNode object) {
    try (JsonParser p = factory.createParser(body)) {
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
            if (p.currentToken() != JsonToken.START_OBJECT
                || !(jobs.get(i) instanceof ObjectNode job)) {
              p.skipChildren();
              continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              p.nextToken();
              if ("payload".equals(name)
                  || ("result".equals(name) && p.currentToken() != JsonToken.VALUE_NULL)) {
                keepAsSent(job, name, p, body, "jobs[" + i + "]: \"" + name + "\"");
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
      throw invalid("unreadable body: " + e.getMessage()); // parsed once already
    }
  }

  private static void keepAsSent(
      ObjectNode holder, String field, JsonParser p, byte[] body, String where) throws IOException {
    requireUnicode(holder.get(field), where);
    int start = (int) p.currentTokenLocation().getByteOffset();
    if (p.currentToken().isStructStart()) {
      p.skipChildren();
    } else {
      p.finishToken(); // a string is read lazily: read it to its closing quote
    }
    int end = (int) p.currentLocation().getByteOffset();
    holder.putRawValue(
        field, new RawValue(new String(body, start, end - start, StandardCharsets.UTF_8)));
  }

  private String requiredText(JsonNode body, String field, int maxChars) {
    return requiredText(body, field, "", maxChars);
  }

  private String requiredText(JsonNode body, String field, String where, int maxChars) {
    String v = optText(body, field, where, maxChars);
    if (v == null || v.isBlank()) {
      throw invalid(where + "\"" + field + "\" is required (a non-empty string)");
    }
    return v;
  }

  /** A lease token: required, bounded. */
  private String leaseToken(JsonNode body) {
    return requiredText(body, "leaseToken", WireLimits.MAX_LEASE_TOKEN_CHARS);
  }

  /** A text field: absent or null gives null; otherwise a string of valid Unicode, bounded. */
  private String optText(JsonNode body, String field, String where, int maxChars) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw invalid(where + "\"" + field + "\" must be a string, got " + kind(n));
    }
    return checkedText(n.asText(), where, field, maxChars);
  }

  private static String checkedText(String v, String where, String field, int maxChars) {
    if (v.length() > maxChars) {
      throw invalid(
          where
              + "\""
              + field
              + "\" must be at most "
              + maxChars
              + " characters, got "
              + v.length());
    }
    int bad = loneSurrogateAt(v);
    if (bad >= 0) {
      throw invalid(
          where + "\"" + field + "\" is not valid Unicode: a lone surrogate" + " at index " + bad);
    }
    return v;
  }

  /** Rejects any string or field name in {@code n} holding a lone surrogate. */
  static void requireUnicode(JsonNode n, String where) {
    if (n.isTextual()) {
      int bad = loneSurrogateAt(n.textValue());
      if (bad >= 0) {
        throw invalid(
            where
                + " holds a string that is not valid Unicode (a lone"
                + " surrogate at index "
                + bad
                + ")");
      }
    } else if (n.isObject()) {
      for (var it = n.fields(); it.hasNext(); ) {
        var e = it.next();
        if (loneSurrogateAt(e.getKey()) >= 0) {
          throw invalid(
              where + " holds a field name that is not valid Unicode (a" + " lone surrogate)");
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

  private Integer optInt(JsonNode body, String field, String where) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw invalid(where + "\"" + field + "\" must be a whole number, got " + kind(n));
    }
    return n.intValue();
  }

  private Boolean optBoolean(JsonNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isBoolean()) {
      throw invalid("\"" + field + "\" must be true or false, got " + kind(n));
    }
    return n.booleanValue();
  }

  /**
   * A duration field: absent gives null; otherwise from 0 to {@link RequestLimits#MAX_DURATION}.
   */
  private Duration optDuration(JsonNode body, String field, String where) {
    String text = optText(body, field, where, SHORT_TEXT);
    if (text == null) {
      return null;
    }
    Duration d;
    try {
      d = StoreProperties.parseDuration(field, text);
    } catch (RuntimeException e) {
      throw invalid(
          where
              + "\""
              + field
              + "\" must be a duration such as 250ms, 5s,"
              + " 2m or PT5S (not negative), got '"
              + text
              + "'");
    }
    if (d.compareTo(WireLimits.MAX_DURATION) > 0) {
      throw invalid(
          where
              + "\""
              + field
              + "\" must be at most "
              + WireLimits.MAX_DURATION.toDays()
              + " days, got '"
              + text
              + "'");
    }
    return d;
  }

  /** An instant field: absent gives null; otherwise from 1970 to the end of year 9999 (UTC). */
  private Instant optInstant(JsonNode body, String field, String where) {
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
        throw invalid(
            where
                + "\""
                + field
                + "\" must be an ISO-8601 instant such as"
                + " 2026-01-31T12:00:00Z, got '"
                + text
                + "'");
      }
    }
    if (at.isBefore(WireLimits.MIN_INSTANT) || at.isAfter(WireLimits.MAX_INSTANT)) {
      throw invalid(
          where
              + "\""
              + field
              + "\" must lie between "
              + WireLimits.MIN_INSTANT
              + " and "
              + WireLimits.MAX_INSTANT
              + ", got '"
              + text
              + "'");
    }
    return at;
  }

  /** The compact JSON text of a value, or null when absent or JSON null. */
  private String optJson(JsonNode body, String field) {
    return optJson(body, field, "");
  }

  private String optJson(JsonNode body, String field, String where) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!(n instanceof POJONode)) { // kept as sent: checked when it was kept
      requireUnicode(n, where + "\"" + field + "\"");
    }
    return json(n);
  }

  private String json(JsonNode n) {
    if (n instanceof POJONode raw && raw.getPojo() instanceof RawValue text) {
      return (String) text.rawValue();
    }
    try {
      return mapper.writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw invalid("a JSON value cannot be written back: " + e.getOriginalMessage());
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
   * Rejects a body that is not well-formed UTF-8. The JSON parser decodes some ill-formed sequences
   * (overlong forms, code points past U+10FFFF) into other characters instead of refusing them,
   * which would store text the client never sent.
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
      java.nio.charset.StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(body, i, body.length - i));
    } catch (java.nio.charset.CharacterCodingException e) {
      throw invalid("malformed JSON: the body is not valid UTF-8 (" + e.getMessage() + ")");
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

  // ------------------------------------------------------------------ recurring schedules

  /** Fields of a schedule body ({@code PUT /v1/queues/{q}/schedules/{name}}). */
  public static final Set<String> SCHEDULE_FIELDS =
      Set.of("cron", "zone", "every", "payload", "type", "priority", "maxAttempts", "misfire");

  /**
   * A schedule body: {@code payload} and one of {@code cron} and {@code every} are required; the
   * name comes from the path.
   */
  public dev.casq.api.Schedule readSchedule(String name, byte[] body) {
    ObjectNode o = object(body, false);
    onlyFields(o, SCHEDULE_FIELDS, "");
    JsonNode payload = o.get("payload");
    if (payload == null || payload.isNull()) {
      throw invalid("\"payload\" is required (any JSON value but null)");
    }
    if (!(payload instanceof POJONode)) {
      requireUnicode(payload, "\"payload\"");
    }
    String cron = optText(o, "cron", "", WireLimits.MAX_CRON_CHARS);
    Duration every = optDuration(o, "every", "");
    if ((cron == null) == (every == null)) {
      throw invalid("give one of \"cron\" and \"every\"");
    }
    String zone = optText(o, "zone", "", SHORT_TEXT);
    String misfire = optText(o, "misfire", "", SHORT_TEXT);
    Integer priority = optInt(o, "priority", "");
    try {
      return new dev.casq.api.Schedule(
          name,
          cron,
          every,
          zone == null ? null : dev.casq.api.Schedule.zone(zone),
          json(payload),
          optText(o, "type", "", WireLimits.MAX_TYPE_CHARS),
          priority == null ? 0 : priority,
          optInt(o, "maxAttempts", ""),
          misfire == null ? null : ScheduleWire.misfire(misfire));
    } catch (dev.casq.api.InvalidRequestException e) {
      throw invalid(e.getMessage());
    }
  }
}
