package dev.casq.core.internal;

import dev.casq.api.InvalidRequestException;

/**
 * Rules for the text that enters the queue object. Every string the state holds is written as
 * UTF-8, and a lone surrogate has no UTF-8 form: it would fail (or be silently replaced) when the
 * whole batch is encoded, so it is refused when the request is validated, where it fails only its
 * own request.
 */
final class TextRules {
  private TextRules() {}

  /** Whether every surrogate in {@code s} is part of a high-low pair. */
  static boolean isValidUnicode(String s) {
    return utf8Length(s) >= 0;
  }

  /**
   * Throws {@link InvalidRequestException} (without echoing the text) unless it is valid Unicode.
   */
  static void requireValidUnicode(String s, String what) {
    if (!isValidUnicode(s)) {
      throw new InvalidRequestException(what + " is not valid Unicode (it holds a lone surrogate)");
    }
  }

  /** The UTF-8 length of {@code s}, or -1 when it holds a lone surrogate. One pass, no copy. */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (!Character.isSurrogate(c)) {
        bytes += 3;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        return -1;
      }
    }
    return bytes;
  }

  /** At most {@code max} chars of {@code s}, never ending between the two halves of a pair. */
  static String truncate(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = max;
    if (end > 0
        && Character.isHighSurrogate(s.charAt(end - 1))
        && Character.isLowSurrogate(s.charAt(end))) {
      end--;
    }
    return s.substring(0, end);
  }

  /**
   * {@code s} with every lone surrogate replaced by U+FFFD. For free text that only describes
   * something (a failure's message): refusing it would lose the report it belongs to.
   */
  static String replaceLoneSurrogates(String s) {
    if (isValidUnicode(s)) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else {
        b.append(Character.isSurrogate(c) ? '\ufffd' : c);
      }
    }
    return b.toString();
  }

  /** {@code json} without the JSON whitespace (space, tab, CR, LF) before and after its value. */
  static String stripJsonWhitespace(String json) {
    int start = 0;
    int end = json.length();
    while (start < end && isJsonWhitespace(json.charAt(start))) {
      start++;
    }
    while (end > start && isJsonWhitespace(json.charAt(end - 1))) {
      end--;
    }
    return start == 0 && end == json.length() ? json : json.substring(start, end);
  }

  private static boolean isJsonWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }
}
