package dev.casq.broker;

import static dev.casq.broker.BrokerApiTest.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.core.QueueOptions;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.election.BrokerProbe;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.tck.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A broker replaced by a takeover answers 421 naming the new broker and never writes again. */
class FencingTest {
  private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
  private final String store = "fence-" + UUID.randomUUID();
  private CasqBroker a;
  private CasqBroker b;

  @AfterEach
  void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private QueueState object() {
    return StateCodec.decode(MemoryObjectStore.named(store).read("q.json").orElseThrow().data());
  }

  @Test
  void aReplacedBrokerAnswers421WithTheNewBrokerAndNeverWritesAgain() {
    // A's clock stands still: every heartbeat it writes says T0, so it looks dead to B
    ManualClock clockA = new ManualClock(T0);
    a =
        CasqBroker.builder()
            .queue("mem://" + store + "/q.json")
            .listen("127.0.0.1", 0)
            .brokerId("broker-a")
            .heartbeatInterval(Duration.ofMillis(100))
            .staleAfter(Duration.ofSeconds(10))
            .queueOptions(QueueOptions.builder().clock(clockA).build())
            .build()
            .start();
    Http httpA = new Http(a.address());
    assertThat(httpA.post("/v1/queues/q/jobs", "{\"payload\":\"a1\"}").status()).isEqualTo(201);

    // B runs 11s later and cannot reach A's /health (a partition): it takes over
    ManualClock clockB = new ManualClock(T0.plusSeconds(11));
    b =
        CasqBroker.builder()
            .queue("mem://" + store + "/q.json")
            .listen("127.0.0.1", 0)
            .brokerId("broker-b")
            .probe(BrokerProbe.NEVER_ANSWERS)
            .queueOptions(QueueOptions.builder().clock(clockB).build())
            .build()
            .start();
    Http httpB = new Http(b.address());
    assertThat(b.broker("q").orElseThrow().epoch()).isEqualTo(2);
    assertThat(httpB.post("/v1/queues/q/jobs", "{\"payload\":\"b1\"}").status()).isEqualTo(201);

    // A learns it from its next heartbeat (its first lost compare-and-swap), without any request
    await().atMost(Duration.ofSeconds(10)).until(() -> !a.isServing("q"));
    long revisionAfterFencing = object().revision();

    // a request already forwarded once is answered 421 naming the new broker
    Http.Reply r = httpA.asForwardedBy("x").post("/v1/queues/q/jobs", "{\"payload\":\"a2\"}");
    expect(r, 421, "not_broker", "broker-b");
    JsonNode current = r.json().get("broker");
    assertThat(current.get("id").asText()).isEqualTo("broker-b");
    assertThat(current.get("address").asText()).isEqualTo(b.address());
    assertThat(current.get("epoch").asInt()).isEqualTo(2);
    expect(
        httpA.asForwardedBy("x").post("/v1/queues/q/claim", "{\"worker\":\"w\"}"),
        421,
        "not_broker",
        "");
    expect(httpA.asForwardedBy("x").get("/v1/queues/q/stats"), 421, "not_broker", "");
    // any other request is forwarded to the new broker, which answers it
    Http.Reply stats = httpA.get("/v1/queues/q/stats");
    assertThat(stats.status()).as("%s", stats).isEqualTo(200);
    Http.Reply health = httpA.get("/health");
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.json().get("status").asText()).isEqualTo("fenced");

    clockA.advance(Duration.ofMinutes(1));
    expect(
        httpA.asForwardedBy("x").post("/v1/queues/q/jobs", "{\"payload\":\"a3\"}"),
        421,
        "not_broker",
        "");
    assertThat(object().revision()).isEqualTo(revisionAfterFencing);
    assertThat(httpB.post("/v1/queues/q/jobs", "{\"payload\":\"b2\"}").status()).isEqualTo(201);
    QueueState last = object();
    assertThat(last.broker().id()).isEqualTo("broker-b");
    assertThat(last.liveJobs().stream().map(Job::payloadJson).sorted().collect(Collectors.toList()))
        .containsExactly("\"a1\"", "\"b1\"", "\"b2\"");
    assertThat(a.meterRegistry().find("casq.queue.fenced").counter().count()).isEqualTo(1.0);
  }

  @Test
  void aRequestIsTheFirstToLearnOfTheTakeover() {
    ManualClock clockA = new ManualClock(T0);
    a =
        CasqBroker.builder()
            .queue("mem://" + store + "/q.json")
            .listen("127.0.0.1", 0)
            .brokerId("broker-a")
            .heartbeatInterval(Duration.ofMinutes(20)) // no heartbeat during the test
            .staleAfter(Duration.ofHours(1)) // the most a broker may declare
            .queueOptions(QueueOptions.builder().clock(clockA).build())
            .build()
            .start();
    b =
        CasqBroker.builder()
            .queue("mem://" + store + "/q.json")
            .listen("127.0.0.1", 0)
            .brokerId("broker-b")
            .staleAfter(Duration.ofHours(1))
            .heartbeatInterval(Duration.ofMinutes(1))
            .probe(BrokerProbe.NEVER_ANSWERS)
            .queueOptions(
                QueueOptions.builder().clock(new ManualClock(T0.plus(Duration.ofHours(4)))).build())
            .build()
            .start();
    assertThat(a.isServing("q")).as("A has not written since").isTrue();
    Http.Reply r =
        new Http(a.address())
            .asForwardedBy("x")
            .post("/v1/queues/q/jobs", "{\"payload\":\"late\"}");
    expect(r, 421, "not_broker", "broker-b");
    assertThat(a.isServing("q")).isFalse();
    assertThat(object().liveJobs()).isEmpty();
    // unmarked, the late push is forwarded to B and applied there, once
    Http.Reply forwarded =
        new Http(a.address()).post("/v1/queues/q/jobs", "{\"payload\":\"late\",\"key\":\"k\"}");
    assertThat(forwarded.status()).as("%s", forwarded).isEqualTo(201);
    assertThat(object().liveJobs()).hasSize(1);
    assertThat(object().broker().id()).isEqualTo("broker-b");
  }
}
