package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * The codec writes instants itself; the text must be exactly what {@link Instant#toString()}
 * writes.
 */
class JsonLineWriterTimestampTest {
  private static String written(Instant t) {
    byte[] b = JsonLineWriter.forThisThread().timestamp(t).toBytes();
    return new String(b, StandardCharsets.US_ASCII);
  }

  @Property(tries = 2000)
  void writesWhatInstantToStringWrites(
      @ForAll @LongRange(min = -100_000_000_000L, max = 300_000_000_000L) long seconds,
      @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
    Instant t = Instant.ofEpochSecond(seconds, nanos);
    assertThat(written(t)).isEqualTo('"' + t.toString() + '"');
  }

  @Test
  void roundNanosecondsKeepTheShortForms() {
    for (String s :
        new String[] {
          "2026-11-25T18:27:27Z",
          "2026-11-25T18:27:27.100Z",
          "2026-11-25T18:27:27.123456Z",
          "2026-11-25T18:27:27.000000001Z",
          "1970-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999999Z",
          "2024-02-29T23:59:59.010Z"
        }) {
      assertThat(written(Instant.parse(s))).isEqualTo('"' + s + '"');
    }
  }
}
