package dev.casq.election;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.CorruptStateException;
import dev.casq.core.QueuePolicy;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.QueueStateMachine;
import dev.casq.core.internal.StateCodec;
import dev.casq.core.internal.Tokens;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BrokerDiscoveryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final QueueStateMachine machine =
      new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));

  @Test
  void readsTheBrokerOfAnEncodedQueueObjectWithJobs() {
    QueueState s = QueueState.empty();
    for (int i = 0; i < 50; i++) {
      machine.push(s, PushRequest.of("{\"n\":" + i + ",\"broker\":{\"id\":\"fake\"}}"), T0);
    }
    BrokerRecord r = new BrokerRecord("b-1", "http://10.0.0.5:8080", 12, T0.plusMillis(1234));
    machine.setBroker(s, r);
    byte[] bytes = StateCodec.encode(s);

    assertThat(BrokerDiscovery.parse(bytes)).contains(r);
    assertThat(BrokerDiscovery.parse(bytes)).contains(StateCodec.decode(bytes).broker());
  }

  @Test
  void readsTheTimingTheBrokerDeclaredAndIgnoresAnUnreadableOne() {
    QueueState s = QueueState.empty();
    BrokerRecord r =
        new BrokerRecord("b-1", "http://10.0.0.5:8080", 12, T0)
            .declaring(java.time.Duration.ofMillis(250), java.time.Duration.ofMillis(1500));
    machine.setBroker(s, r);
    byte[] bytes = StateCodec.encode(s);
    assertThat(BrokerDiscovery.parse(bytes)).contains(r);
    assertThat(BrokerDiscovery.parse(bytes)).contains(StateCodec.decode(bytes).broker());

    BrokerRecord odd =
        BrokerDiscovery.parse(
                bytes(
                    "{\"format\":\"casq-queue/1\",\"broker\":"
                        + "{\"id\":\"a\",\"address\":\"http://a\",\"epoch\":1,\"heartbeatAt\":\""
                        + T0
                        + "\",\"staleAfterMs\":{\"x\":1},\"heartbeatIntervalMs\":1e400}}"))
            .orElseThrow();
    assertThat(odd.staleAfter()).isNull();
    assertThat(odd.heartbeatInterval()).isNull();
  }

  @Test
  void readsTheBrokerOfASegmentedQueueObject() {
    BrokerRecord r =
        BrokerDiscovery.parse(
                bytes(
                    "{\"format\":\"casq-queue/2\",\"broker\":"
                        + "{\"id\":\"a\",\"address\":\"http://a\",\"epoch\":3,\"heartbeatAt\":\""
                        + T0
                        + "\"}}"))
            .orElseThrow();
    assertThat(r.epoch()).isEqualTo(3);
    assertThatThrownBy(() -> BrokerDiscovery.parse(bytes("{\"format\":\"casq-queue/9\"}")))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("casq-queue/9");
  }

  @Test
  void emptyWhenNoBrokerOrNoObject() {
    byte[] empty = StateCodec.encodeEmpty("c1", T0);
    assertThat(BrokerDiscovery.parse(empty)).isEmpty();

    String store = "disc-" + UUID.randomUUID();
    try (BrokerDiscovery d =
        BrokerDiscovery.on(new StoreLocation(MemoryObjectStore.named(store), "q.json"))) {
      assertThat(d.current()).isEmpty();
      MemoryObjectStore.named(store).create("q.json", empty);
      assertThat(d.current()).isEmpty();
    }
  }

  @Test
  void readsThroughStoresByUri() {
    String store = "disc-" + UUID.randomUUID();
    QueueState s = QueueState.empty();
    BrokerRecord r = new BrokerRecord("b", "http://h:1", 1, T0);
    machine.setBroker(s, r);
    MemoryObjectStore.named(store).create("a/q.json", StateCodec.encode(s));
    try (BrokerDiscovery d =
        BrokerDiscovery.open("mem://" + store + "/a/q.json", java.util.Map.of())) {
      assertThat(d.current()).contains(r);
      assertThat(d.describe()).contains("q.json");
    }
  }

  @Test
  void refusesObjectsThatAreNotCasqQueues() {
    assertThatThrownBy(() -> BrokerDiscovery.parse(bytes("not json")))
        .isInstanceOf(CorruptStateException.class);
    assertThatThrownBy(() -> BrokerDiscovery.parse(bytes("[1,2]")))
        .isInstanceOf(CorruptStateException.class);
    assertThatThrownBy(() -> BrokerDiscovery.parse(bytes("{\"hello\":\"world\"}")))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("not a casq queue");
    assertThatThrownBy(
            () -> BrokerDiscovery.parse(bytes("{\"format\":\"casq-queue/99\",\"broker\":null}")))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("casq-queue/99");
    assertThatThrownBy(
            () ->
                BrokerDiscovery.parse(
                    bytes("{\"format\":\"casq-queue/1\",\"broker\":{\"id\":\"x\",\"epoch\":1}}")))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("lacks");
    assertThatThrownBy(
            () ->
                BrokerDiscovery.parse(
                    bytes(
                        "{\"format\":\"casq-queue/1\",\"broker\":{\"id\":\"x\",\"address\":\"a\","
                            + "\"epoch\":1,\"heartbeatAt\":\"yesterday\"}}")))
        .isInstanceOf(CorruptStateException.class);
  }

  @Test
  void stalenessIsJudgedAgainstTheGivenInstant() {
    BrokerRecord r = new BrokerRecord("b", "http://h:1", 1, T0);
    Duration stale = Duration.ofSeconds(10);
    assertThat(BrokerDiscovery.isStale(r, T0.plusMillis(9_999), stale)).isFalse();
    assertThat(BrokerDiscovery.isStale(r, T0.plusSeconds(10), stale)).isTrue();
    assertThat(BrokerDiscovery.isStale(r, T0.minusSeconds(60), stale)).isFalse();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
