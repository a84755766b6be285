package dev.casq.core.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes the fixed-shape JSON of one job or archive entry straight into a byte array: field names
 * are constants, numbers and timestamps are written as ASCII digits, and strings that need escaping
 * go through Jackson's {@link JsonStringEncoder}. It writes exactly what a Jackson generator writes
 * for the same calls (a property test holds it to that) at a fraction of the cost of creating a
 * generator per job, which dominated the commit time of busy queues.
 *
 * <p>Not thread-safe; {@link #forThisThread()} hands out one reusable writer per thread.
 */
final class JsonLineWriter {
  private static final ThreadLocal<JsonLineWriter> PER_THREAD =
      ThreadLocal.withInitial(JsonLineWriter::new);
  private static final long MAX_EPOCH_SECOND = 253402300799L; // 9999-12-31T23:59:59Z

  private byte[] buf = new byte[512];
  private int len;
  private boolean needComma;

  /** A cleared writer owned by the calling thread. */
  static JsonLineWriter forThisThread() {
    JsonLineWriter w = PER_THREAD.get();
    if (w.buf.length > 1 << 16) {
      w.buf = new byte[512]; // do not keep a huge payload's buffer around
    }
    w.len = 0;
    w.needComma = false;
    return w;
  }

  byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }

  JsonLineWriter raw(byte b) {
    ensure(1);
    buf[len++] = b;
    return this;
  }

  JsonLineWriter raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
    return this;
  }

  JsonLineWriter startObject() {
    comma();
    raw((byte) '{');
    needComma = false;
    return this;
  }

  JsonLineWriter endObject() {
    raw((byte) '}');
    needComma = true;
    return this;
  }

  /** Marks that a value was written before (for continuing a cached object tail). */
  JsonLineWriter afterValue() {
    needComma = true;
    return this;
  }

  /** A field name that is a plain ASCII constant (no escaping needed). */
  JsonLineWriter name(String plainName) {
    comma();
    ensure(plainName.length() + 3);
    buf[len++] = '"';
    for (int i = 0; i < plainName.length(); i++) {
      buf[len++] = (byte) plainName.charAt(i);
    }
    buf[len++] = '"';
    buf[len++] = ':';
    needComma = false;
    return this;
  }

  JsonLineWriter string(String value) {
    comma();
    if (value == null) {
      return nullValue();
    }
    quoted(value);
    needComma = true;
    return this;
  }

  JsonLineWriter number(long value) {
    comma();
    if (value == Long.MIN_VALUE) {
      return ascii(Long.toString(value));
    }
    ensure(20);
    if (value < 0) {
      buf[len++] = '-';
      value = -value;
    }
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    for (int i = len + digits - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    len += digits;
    needComma = true;
    return this;
  }

  JsonLineWriter nullValue() {
    comma();
    ascii("null");
    return this;
  }

  /** JSON text that is already valid (a payload or result), copied as its UTF-8 bytes. */
  JsonLineWriter rawValue(byte[] utf8Json) {
    comma();
    raw(utf8Json);
    needComma = true;
    return this;
  }

  /** An instant as a JSON string, exactly as {@link Instant#toString()} writes it. */
  JsonLineWriter timestamp(Instant t) {
    comma();
    long seconds = t.getEpochSecond();
    if (seconds < 0 || seconds > MAX_EPOCH_SECOND) {
      raw((byte) '"');
      ascii(t.toString());
      raw((byte) '"');
      needComma = true;
      return this;
    }
    ensure(32);
    buf[len++] = '"';
    len = writeTimestamp(seconds, t.getNano(), buf, len);
    buf[len++] = '"';
    needComma = true;
    return this;
  }

  /**
   * Writes an instant of years 0 to 9999 as ISO-8601 UTC text at {@code pos}; returns the position
   * after it. The caller guarantees 30 free bytes.
   */
  private static int writeTimestamp(long seconds, int nanos, byte[] out, int pos) {
    long epochDay = Math.floorDiv(seconds, 86_400L);
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    byte[] day = Days.text(epochDay);
    System.arraycopy(day, 0, out, pos, day.length);
    pos += day.length;
    out[pos++] = 'T';
    pos = two(out, pos, secondOfDay / 3600);
    out[pos++] = ':';
    pos = two(out, pos, secondOfDay / 60 % 60);
    out[pos++] = ':';
    pos = two(out, pos, secondOfDay % 60);
    if (nanos != 0) {
      int digits = nanos % 1_000_000 == 0 ? 3 : nanos % 1_000 == 0 ? 6 : 9;
      out[pos++] = '.';
      int n = nanos;
      for (int i = 9; i > digits; i--) {
        n /= 10;
      }
      for (int i = pos + digits - 1; i >= pos; i--) {
        out[i] = (byte) ('0' + n % 10);
        n /= 10;
      }
      pos += digits;
    }
    out[pos++] = 'Z';
    return pos;
  }

  private static int two(byte[] out, int pos, int n) {
    out[pos] = (byte) ('0' + n / 10);
    out[pos + 1] = (byte) ('0' + n % 10);
    return pos + 2;
  }

  /** The text of the last day written (timestamps of one commit nearly always share a day). */
  private static final class Days {
    private record Day(long epochDay, byte[] text) {}

    private static volatile Day last = new Day(Long.MIN_VALUE, new byte[0]);

    static byte[] text(long epochDay) {
      Day d = last;
      if (d.epochDay() != epochDay) {
        d =
            new Day(
                epochDay,
                java.time.LocalDate.ofEpochDay(epochDay)
                    .toString()
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        last = d;
      }
      return d.text();
    }
  }

  private void quoted(String s) {
    int n = s.length();
    ensure(n + 2);
    int start = len;
    buf[len++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        len = start; // not plain ASCII: let Jackson escape and encode it
        raw((byte) '"');
        raw(JsonStringEncoder.getInstance().quoteAsUTF8(s));
        raw((byte) '"');
        return;
      }
      buf[len++] = (byte) c;
    }
    buf[len++] = '"';
  }

  private JsonLineWriter ascii(String s) {
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
    needComma = true;
    return this;
  }

  private void comma() {
    if (needComma) {
      raw((byte) ',');
      needComma = false;
    }
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
