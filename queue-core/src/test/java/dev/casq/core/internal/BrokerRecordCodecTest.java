package dev.casq.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.core.QueuePolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The broker record in the queue object, with and without the timing its broker declared. */
class BrokerRecordCodecTest {
  private static final Instant AT = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void theDeclaredHeartbeatIntervalAndStalenessAreWrittenInMillisecondsAndReadBack() {
    BrokerRecord declared =
        new BrokerRecord("b1", "http://10.0.0.5:8420", 3, AT)
            .declaring(Duration.ofMillis(250), Duration.ofMillis(1500));
    QueueState s = QueueState.empty();
    new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t")).setBroker(s, declared);

    byte[] bytes = StateCodec.encode(s);

    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .contains(
            "\"broker\":{\"id\":\"b1\",\"address\":\"http://10.0.0.5:8420\",\"epoch\":3,"
                + "\"heartbeatAt\":\"2026-11-25T10:00:00Z\",\"heartbeatIntervalMs\":250,"
                + "\"staleAfterMs\":1500}");
    assertThat(StateCodec.decode(bytes).broker()).isEqualTo(declared);
  }

  @Test
  void aRecordWithoutDeclaredTimingIsReadAndWrittenWithoutIt() {
    String object =
        "{\"format\":\"casq-queue/1\",\"revision\":4,\"commitId\":\"c\","
            + "\"updatedAt\":null,\"broker\":{\"id\":\"old\",\"address\":\"http://h:1\",\"epoch\":2,"
            + "\"heartbeatAt\":\"2026-11-25T10:00:00Z\"},\"nextSeq\":1,\"counters\":{},"
            + "\"recentCommits\":[],\"jobs\":[],\"finished\":[]}";

    QueueState s = StateCodec.decode(object.getBytes(StandardCharsets.UTF_8));

    assertThat(s.broker()).isEqualTo(new BrokerRecord("old", "http://h:1", 2, AT));
    assertThat(s.broker().staleAfter()).isNull();
    assertThat(s.broker().heartbeatInterval()).isNull();
    assertThat(new String(StateCodec.encode(s), StandardCharsets.UTF_8))
        .doesNotContain("staleAfterMs")
        .doesNotContain("heartbeatIntervalMs");
  }

  @Test
  void declaredTimingThatIsNotAnIntegerCountsAsUndeclared() {
    String object =
        "{\"format\":\"casq-queue/1\",\"revision\":4,\"commitId\":\"c\","
            + "\"updatedAt\":null,\"broker\":{\"id\":\"old\",\"address\":\"http://h:1\",\"epoch\":2,"
            + "\"heartbeatAt\":\"2026-11-25T10:00:00Z\",\"heartbeatIntervalMs\":\"fast\","
            + "\"staleAfterMs\":1.5},\"nextSeq\":1,\"counters\":{},"
            + "\"recentCommits\":[],\"jobs\":[],\"finished\":[]}";

    BrokerRecord r = StateCodec.decode(object.getBytes(StandardCharsets.UTF_8)).broker();

    assertThat(r.heartbeatInterval()).isNull();
    assertThat(r.staleAfter()).isNull();
  }
}
