package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueueSeriesTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private static QueueSample sample(
      int second, long pushed, long completed, long commits, long commands, long writeNanos) {
    return new QueueSample(
        T0.plusSeconds(second),
        pushed,
        pushed,
        completed,
        0,
        (int) (pushed - completed),
        0,
        0,
        0,
        1_500,
        commits,
        commands,
        writeNanos);
  }

  @Test
  void pointsAreRatesOverEachIntervalAndMeansPerCommit() {
    QueueSeries s = new QueueSeries(10);
    s.add(sample(0, 100, 0, 10, 100, 50_000_000));
    s.add(sample(5, 600, 250, 20, 600, 80_000_000));
    s.add(sample(10, 600, 600, 20, 600, 80_000_000));

    List<SeriesPoint> points = s.points();

    assertThat(points).hasSize(2);
    SeriesPoint first = points.get(0);
    assertThat(first.at()).isEqualTo(T0.plusSeconds(5));
    assertThat(first.pushRate()).isCloseTo(100, within(1e-9));
    assertThat(first.completeRate()).isCloseTo(50, within(1e-9));
    assertThat(first.ready()).isEqualTo(350);
    assertThat(first.oldestReadyAgeSeconds()).isEqualTo(1.5);
    assertThat(first.commitMillis()).isCloseTo(3.0, within(1e-9)); // 30 ms over 10 commits
    assertThat(first.batchSize()).isCloseTo(50, within(1e-9)); // 500 commands over 10 commits
    SeriesPoint idle = points.get(1);
    assertThat(idle.pushRate()).isZero();
    assertThat(idle.completeRate()).isCloseTo(70, within(1e-9));
    assertThat(idle.commitMillis()).isNaN(); // no commit in the interval: no mean
    assertThat(idle.batchSize()).isNaN();
  }

  @Test
  void aCounterThatRestartsCountsAsNothingInsteadOfANegativeRate() {
    QueueSeries s = new QueueSeries(4);
    s.add(sample(0, 100, 0, 500, 5_000, 9_000_000));
    s.add(sample(5, 110, 0, 2, 20, 1_000_000)); // a new engine after a takeover

    SeriesPoint p = s.points().get(0);

    assertThat(p.pushRate()).isCloseTo(2, within(1e-9));
    assertThat(p.commitMillis()).isNaN();
    assertThat(p.batchSize()).isNaN();
  }

  @Test
  void samplesAtTheSameInstantGiveNoRateRatherThanAnInfiniteOne() {
    QueueSeries s = new QueueSeries(4);
    s.add(sample(3, 100, 0, 1, 1, 1_000_000));
    s.add(sample(3, 150, 0, 2, 2, 2_000_000));

    SeriesPoint p = s.points().get(0);

    assertThat(p.pushRate()).isNaN();
    assertThat(p.completeRate()).isNaN();
    assertThat(p.ready()).isEqualTo(150);
    assertThat(p.commitMillis()).isCloseTo(1.0, within(1e-9));
  }

  @Test
  void theRingKeepsTheNewestSamplesOnly() {
    QueueSeries s = new QueueSeries(3);
    for (int i = 0; i < 7; i++) {
      s.add(sample(i, i * 10L, 0, 0, 0, 0));
    }

    assertThat(s.points())
        .extracting(SeriesPoint::at)
        .containsExactly(T0.plusSeconds(5), T0.plusSeconds(6));
  }

  @Test
  void capacityCoversFifteenMinutesWithinABound() {
    assertThat(QueueSeries.capacity(Duration.ofSeconds(5))).isEqualTo(181);
    assertThat(QueueSeries.capacity(Duration.ofMillis(100))).isEqualTo(QueueSeries.MAX_SAMPLES);
    assertThatThrownBy(() -> new QueueSeries(1)).isInstanceOf(IllegalArgumentException.class);
  }
}
