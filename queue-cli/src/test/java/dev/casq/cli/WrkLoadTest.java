package dev.casq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WrkLoadTest {
  private static final String REPORT =
      """
      Running 10s test @ http://127.0.0.1:7070
        2 threads and 128 connections
        Thread Stats   Avg      Stdev     Max   +/- Stdev
          Latency     6.52ms    2.10ms   1.02s    76.48%
          Req/Sec     9.80k   312.65    11.80k    71.86%
        Latency Distribution
           50%    6.19ms
           75%    7.37ms
           90%  812.00us
           99%   13.40ms
        195516 requests in 10.02s, 3.27MB read
        Socket errors: connect 0, read 2, write 1, timeout 3
        Non-2xx or 3xx responses: 4
      Requests/sec:  19512.57
      Transfer/sec:    332.27KB
      """;

  @Test
  void readsRateLatencyAndErrorsFromTheReport() {
    WrkLoad.Result r = WrkLoad.parse(REPORT);
    assertThat(r.requests()).isEqualTo(195_516);
    assertThat(r.seconds()).isCloseTo(10.02, within(1e-9));
    assertThat(r.requestsPerSecond()).isCloseTo(19_512.57, within(1e-9));
    assertThat(r.p50Millis()).isCloseTo(6.19, within(1e-9));
    assertThat(r.p99Millis()).isCloseTo(13.40, within(1e-9));
    assertThat(r.maxMillis()).isCloseTo(1020, within(1e-9));
    assertThat(r.errors()).isEqualTo(2 + 1 + 3 + 4);
  }

  @Test
  void durationsInEveryUnitWrkWrites() {
    assertThat(WrkLoad.millis("812.00us")).isCloseTo(0.812, within(1e-9));
    assertThat(WrkLoad.millis("4.52ms")).isCloseTo(4.52, within(1e-9));
    assertThat(WrkLoad.millis("1.50s")).isCloseTo(1500, within(1e-9));
    assertThat(WrkLoad.millis("2.00m")).isCloseTo(120_000, within(1e-9));
    assertThatThrownBy(() -> WrkLoad.millis("soon")).hasMessageContaining("not a wrk duration");
  }

  @Test
  void aReportWithoutNumbersIsAnError() {
    assertThatThrownBy(() -> WrkLoad.parse("unable to connect to 127.0.0.1:1 Connection refused"))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("could not read wrk's report");
  }
}
