package dev.casq.wire;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The query of {@code GET .../jobs}: {@code status}, {@code type}, {@code createdFrom}, {@code
 * createdTo}, {@code cursor} and {@code limit}, each optional and at most once; any other parameter
 * is refused.
 *
 * @param status one of queued, leased, completed, dead, cancelled; or null
 * @param type the jobs' type, or null
 * @param createdFrom jobs pushed at or after this time, or null
 * @param createdTo jobs pushed before this time, or null
 * @param cursor the {@code nextCursor} of the previous page, or null
 * @param limit jobs per page, 1 to {@link WireLimits#MAX_LIST_LIMIT} (default {@link
 *     WireLimits#DEFAULT_LIST_LIMIT})
 */
public record ListQuery(
    String status, String type, Instant createdFrom, Instant createdTo, String cursor, int limit) {

  /** The parameters a list takes. */
  public static final Set<String> PARAMETERS =
      Set.of("status", "type", "createdFrom", "createdTo", "cursor", "limit");

  /** The statuses a list can ask for. */
  public static final List<String> STATUSES =
      List.of("queued", "leased", "completed", "dead", "cancelled");

  /**
   * Reads a query.
   *
   * @param params each parameter's values, as decoded from the URL
   * @return the query
   * @throws WireFormatException for an unknown or repeated parameter or a bad value
   */
  public static ListQuery parse(Map<String, List<String>> params) {
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      if (!PARAMETERS.contains(e.getKey())) {
        throw new WireFormatException(
            "unknown query parameter \""
                + shown(e.getKey())
                + "\"; a list takes "
                + new java.util.TreeSet<>(PARAMETERS));
      }
      if (e.getValue().size() != 1) {
        throw new WireFormatException(
            "query parameter \"" + e.getKey() + "\" given more than once");
      }
    }
    String status = one(params, "status", 16);
    if (status != null && !STATUSES.contains(status)) {
      throw new WireFormatException(
          "\"status\" must be one of " + STATUSES + ", got \"" + shown(status) + "\"");
    }
    String type = one(params, "type", WireLimits.MAX_TYPE_CHARS);
    Instant from = instant(params, "createdFrom");
    Instant to = instant(params, "createdTo");
    String cursor = one(params, "cursor", 32);
    String l = one(params, "limit", 16);
    int limit = WireLimits.DEFAULT_LIST_LIMIT;
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > WireLimits.MAX_LIST_LIMIT) {
        throw new WireFormatException(
            "\"limit\" must be a whole number from 1 to "
                + WireLimits.MAX_LIST_LIMIT
                + ", got \""
                + shown(l)
                + "\"");
      }
    }
    return new ListQuery(status, type, from, to, cursor, limit);
  }

  /**
   * The query string of this query (without the {@code ?}), URL-encoded.
   *
   * @return the query string
   */
  public String toQueryString() {
    StringBuilder b = new StringBuilder();
    add(b, "status", status);
    add(b, "type", type);
    add(b, "createdFrom", createdFrom == null ? null : createdFrom.toString());
    add(b, "createdTo", createdTo == null ? null : createdTo.toString());
    add(b, "cursor", cursor);
    add(b, "limit", Integer.toString(limit));
    return b.toString();
  }

  private static void add(StringBuilder b, String name, String value) {
    if (value == null) {
      return;
    }
    if (b.length() > 0) {
      b.append('&');
    }
    b.append(name)
        .append('=')
        .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String one(Map<String, List<String>> params, String name, int maxChars) {
    List<String> v = params.get(name);
    if (v == null) {
      return null;
    }
    String s = v.get(0);
    if (s.isEmpty()) {
      throw new WireFormatException("query parameter \"" + name + "\" must not be empty");
    }
    if (s.length() > maxChars) {
      throw new WireFormatException(
          "query parameter \"" + name + "\" is longer than " + maxChars + " characters");
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))
          && !(Character.isHighSurrogate(s.charAt(i))
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(++i)))) {
        throw new WireFormatException("query parameter \"" + name + "\" is not valid Unicode");
      }
    }
    return s;
  }

  private static Instant instant(Map<String, List<String>> params, String name) {
    String s = one(params, name, 64);
    if (s == null) {
      return null;
    }
    try {
      Instant t = Instant.parse(s);
      if (t.isBefore(WireLimits.MIN_INSTANT) || t.isAfter(WireLimits.MAX_INSTANT)) {
        throw new DateTimeParseException("out of range", s, 0);
      }
      return t;
    } catch (DateTimeParseException e) {
      throw new WireFormatException(
          "\""
              + name
              + "\" must be an ISO-8601 instant such as 2026-01-31T12:00:00Z from "
              + WireLimits.MIN_INSTANT
              + " to "
              + WireLimits.MAX_INSTANT
              + ", got \""
              + shown(s)
              + "\"");
    }
  }

  private static String shown(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 64; i++) {
      char c = s.charAt(i);
      b.append(Character.isSurrogate(c) || Character.isISOControl(c) ? '?' : c);
    }
    return b.toString();
  }
}
