package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.Cancellation;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.QueueClosedException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

/** The pure rules behind a worker's leases and what it reports once a handler ends. */
class LeaseWatchTest {
  private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);

  @Test
  void transientHeartbeatFailuresLoseTheLeaseOnlyWhenItsExpiryPasses() {
    LeaseWatch w = LeaseWatch.granted(T0, LEASE);
    assertThat(w.isLost(T0.plusSeconds(29))).isFalse();
    assertThat(w.isLost(T0.plusSeconds(30))).isTrue();
    w.extended(T0.plusSeconds(10), LEASE);
    assertThat(w.isLost(T0.plusSeconds(39))).isFalse();
    assertThat(w.isLost(T0.plusSeconds(40))).isTrue();
    w.extended(T0.plusSeconds(5), LEASE); // a late answer never shortens the lease
    assertThat(w.expiresAt()).isEqualTo(T0.plusSeconds(40));
  }

  @Test
  void aRejectedHeartbeatLosesTheLeaseAtOnce() {
    LeaseWatch w = LeaseWatch.granted(T0, LEASE);
    w.rejected();
    assertThat(w.isLost(T0)).isTrue();
    w.extended(T0, LEASE);
    assertThat(w.isLost(T0)).isTrue();
    assertThat(LeaseWatch.isRejection(new LeaseRejectedException("wrong token"))).isTrue();
    assertThat(LeaseWatch.isRejection(new JobNotFoundException("gone"))).isTrue();
    assertThat(LeaseWatch.isRejection(new QueueClosedException("closed"))).isFalse();
    assertThat(LeaseWatch.isRejection(new RuntimeException("503"))).isFalse();
  }

  @Test
  void settlementNeverReportsAfterALostLeaseAndReleasesOnlyStoppedHandlers() {
    RuntimeException boom = new IllegalStateException("boom");
    assertThat(Settlement.decide(null, false, null, false)).isEqualTo(Settlement.COMPLETE);
    assertThat(Settlement.decide(boom, false, null, false)).isEqualTo(Settlement.FAIL);
    assertThat(Settlement.decide(null, true, null, false)).isEqualTo(Settlement.NOTHING);
    assertThat(Settlement.decide(boom, true, null, false)).isEqualTo(Settlement.NOTHING);
    assertThat(Settlement.decide(null, false, Cancellation.Reason.LEASE_LOST, true))
        .isEqualTo(Settlement.NOTHING);
    assertThat(
            Settlement.decide(
                new InterruptedException(), false, Cancellation.Reason.SHUTDOWN, true))
        .isEqualTo(Settlement.RELEASE);
    assertThat(
            Settlement.decide(
                new CancellationException(), false, Cancellation.Reason.SHUTDOWN, false))
        .isEqualTo(Settlement.RELEASE);
    assertThat(Settlement.decide(boom, false, Cancellation.Reason.SHUTDOWN, true))
        .isEqualTo(Settlement.RELEASE);
    assertThat(Settlement.decide(boom, false, Cancellation.Reason.SHUTDOWN, false))
        .isEqualTo(Settlement.FAIL);
    // finished within the grace period: completed as usual
    assertThat(Settlement.decide(null, false, Cancellation.Reason.SHUTDOWN, false))
        .isEqualTo(Settlement.COMPLETE);
  }

  @Test
  void aLostLeaseOverridesShutdownButNotTheOtherWayRound() {
    Cancellation c = new Cancellation();
    assertThat(c.cancel(Cancellation.Reason.SHUTDOWN)).isTrue();
    assertThat(c.cancel(Cancellation.Reason.LEASE_LOST)).isTrue();
    assertThat(c.cancel(Cancellation.Reason.SHUTDOWN)).isFalse();
    assertThat(c.leaseLost()).isTrue();
  }
}
