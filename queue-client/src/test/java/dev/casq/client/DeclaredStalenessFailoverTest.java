package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.PushResult;
import dev.casq.broker.CasqBroker;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.election.BrokerDiscovery;
import dev.casq.storage.tck.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client left at its default staleness (10s) judges a broker by the staleness the broker declared
 * in its record (1.5s): it takes the dead broker over once the declared staleness has passed, not
 * its own. The client's clock is set by the test, so "1499ms" and "1501ms" after the broker's last
 * heartbeat are exact.
 */
class DeclaredStalenessFailoverTest {
  record Job(int n) {}

  private static final Duration DECLARED = Duration.ofMillis(1500);

  @TempDir Path dir;

  @Test
  void theClientTakesOverAfterTheStalenessTheBrokerDeclaredNotItsOwnDefault() throws Exception {
    String store = Brokers.store(dir, "jobs");
    CasqBroker a =
        Brokers.builder(store)
            .heartbeatInterval(Duration.ofMillis(250))
            .staleAfter(DECLARED)
            .resignOnClose(false)
            .build()
            .start();
    ManualClock clock = new ManualClock(Instant.now());
    try (CasqClient c =
        CasqClient.builder()
            .storeUri(store)
            .storeProperties(Brokers.props())
            .takeover(TakeoverPolicy.IN_PROCESS)
            .clock(clock) // staleAfter left at its default, 10s
            .retry(RetryPolicy.defaults().withDeadline(Duration.ofSeconds(30)))
            .build()) {
      ClientQueue<Job> q = c.queue(Job.class);
      q.push(new Job(1));

      a.close(); // like a crash: the port closes, the record keeps its last heartbeat
      BrokerRecord last = recorded(store);
      assertThat(last.staleAfter()).isEqualTo(DECLARED);
      assertThat(last.heartbeatInterval()).isEqualTo(Duration.ofMillis(250));

      // 1499ms after the last heartbeat the broker is not stale yet: the client keeps looking
      clock.set(last.heartbeatAt().plus(DECLARED).minusMillis(1));
      int before = c.connection().resolutions();
      CompletableFuture<PushResult> push = q.pushAsync(new Job(2));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> c.connection().resolutions() >= before + 5);
      assertThat(push).isNotDone();
      assertThat(c.inProcessBroker()).isEmpty();
      assertThat(recorded(store).epoch()).isEqualTo(last.epoch());

      // 1501ms after it, far from the client's own 10s, the client takes over
      clock.set(last.heartbeatAt().plus(DECLARED).plusMillis(1));
      String id = push.get(25, TimeUnit.SECONDS).jobId();

      assertThat(c.inProcessBroker()).isPresent();
      BrokerRecord now = recorded(store);
      assertThat(now.epoch()).isEqualTo(last.epoch() + 1);
      assertThat(now.address()).isEqualTo(c.inProcessBroker().get());
      assertThat(q.get(id).id()).isEqualTo(id);
    }
  }

  private static BrokerRecord recorded(String store) {
    try (BrokerDiscovery d = BrokerDiscovery.open(store, Map.of())) {
      return d.current().orElseThrow();
    }
  }
}
