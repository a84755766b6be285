package dev.casq.sim;

import java.util.SplittableRandom;

/**
 * Payloads that are easy to damage: numbers beyond double and long precision, escapes, lone
 * characters outside the basic plane, separators that some JSON tools rewrite, and whitespace
 * inside the value (kept as pushed). Each carries its push's tag, so a job found anywhere can be
 * traced to the push that made it.
 */
final class Payloads {
  private static final String[] NUMBERS = {
    "123456789012345678901234567890123456789",
    "-0.0",
    "1.00000000000000000000000000001",
    "6.02214076E+23",
    "1e-320",
    "9007199254740993",
    "0.1",
    "-9223372036854775809",
    "0",
    "3.141592653589793238462643383279502884197"
  };
  private static final String[] STRINGS = {
    "", "é", "\\u00e9", "😀", "\\ud83d\\ude00", "\u2028 \u2029", "\\\"quoted\\\"", "tab\\there",
    "  spaced  ", "\\u0000", "u\u0308", "日本語", "\uFEFF", "\\\\", "\\/", "𝄞 clef",
    "<script>&amp;</script>", "line\\nbreak"
  };

  private Payloads() {}

  static String next(String tag, SplittableRandom random) {
    StringBuilder b = new StringBuilder("{\"push\":\"").append(tag).append('"');
    int fields = 1 + random.nextInt(4);
    for (int i = 0; i < fields; i++) {
      String sep = random.nextInt(4) == 0 ? " ,\n  " : ",";
      b.append(sep).append("\"f").append(i).append("\":");
      switch (random.nextInt(4)) {
        case 0 -> b.append(NUMBERS[random.nextInt(NUMBERS.length)]);
        case 1 -> b.append('"').append(STRINGS[random.nextInt(STRINGS.length)]).append('"');
        case 2 ->
            b.append("[")
                .append(NUMBERS[random.nextInt(NUMBERS.length)])
                .append(", \"")
                .append(STRINGS[random.nextInt(STRINGS.length)])
                .append("\", null, true]");
        default ->
            b.append("{\"")
                .append(STRINGS[random.nextInt(STRINGS.length)])
                .append("\" : {\"n\":")
                .append(NUMBERS[random.nextInt(NUMBERS.length)])
                .append("}}");
      }
    }
    return b.append('}').toString();
  }

  /** The push tag inside a payload made by {@link #next}, or null. */
  static String tagOf(String payload) {
    String start = "{\"push\":\"";
    if (payload == null || !payload.startsWith(start)) {
      return null;
    }
    int end = payload.indexOf('"', start.length());
    return end < 0 ? null : payload.substring(start.length(), end);
  }
}
