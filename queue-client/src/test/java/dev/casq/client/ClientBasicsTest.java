package dev.casq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.casq.api.ClaimRequest;
import dev.casq.api.InvalidRequestException;
import dev.casq.api.JobInfo;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.JobStatus;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import dev.casq.api.QueueStats;
import dev.casq.broker.CasqBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed API end to end against a real broker on loopback and a file:// store. */
class ClientBasicsTest {
  record Email(String to, String subject) {}

  @TempDir Path dir;
  private String store;
  private CasqBroker broker;
  private CasqClient client;
  private ClientQueue<Email> emails;

  @BeforeEach
  void start() {
    store = Brokers.store(dir, "emails");
    broker = Brokers.start(store);
    client =
        CasqClient.builder()
            .storeUri(store)
            .storeProperties(Brokers.props())
            .takeover(TakeoverPolicy.NONE)
            .build();
    emails = client.queue(Email.class);
  }

  @AfterEach
  void stop() {
    client.close();
    broker.close();
  }

  @Test
  void discoversTheBrokerFromTheStoreAndRunsAJobThrough() {
    String id = emails.push(new Email("ada@example.com", "hello"));

    LeasedJob<Email> job = emails.claim("w1").orElseThrow();
    assertThat(job.id()).isEqualTo(id);
    assertThat(job.payload()).isEqualTo(new Email("ada@example.com", "hello"));
    assertThat(job.attempts()).isEqualTo(1);
    assertThat(client.currentBroker()).contains(broker.address());

    emails.complete(job, java.util.Map.of("sent", true));

    JobInfo<Email> info = emails.get(id);
    assertThat(info.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(info.resultJson()).isEqualTo("{\"sent\":true}");
    QueueStats stats = emails.stats();
    assertThat(stats.counters().pushed()).isEqualTo(1);
    assertThat(stats.counters().completed()).isEqualTo(1);
    assertThat(stats.pending()).isZero();
    assertThat(stats.broker().address()).isEqualTo(broker.address());
  }

  @Test
  void pushOptionsReachTheBroker() {
    PushResult r =
        emails.push(
            new Email("b@example.com", "later"),
            PushOptions.none()
                .key("k-1")
                .priority(7)
                .delay(Duration.ofHours(1))
                .type("mail")
                .maxAttempts(3));
    PushResult again =
        emails.push(new Email("b@example.com", "later"), PushOptions.none().key("k-1"));

    assertThat(again).isEqualTo(new PushResult(r.jobId(), true));
    JobInfo<Email> info = emails.get(r.jobId());
    assertThat(info.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(info.priority()).isEqualTo(7);
    assertThat(info.type()).isEqualTo("mail");
    assertThat(info.key()).isEqualTo("k-1");
    assertThat(info.maxAttempts()).isEqualTo(3);
    assertThat(emails.stats().scheduled()).isEqualTo(1);
    assertThat(emails.claim("w")).isEmpty(); // delayed an hour
  }

  @Test
  void everyPushCarriesAGeneratedKey() {
    String id = emails.push(new Email("c@example.com", "x"));
    assertThat(emails.get(id).key()).isNotBlank();
  }

  @Test
  void batchPushClaimManyAndFailRelease() {
    List<PushResult> results =
        emails.pushAll(List.of(new Email("1", "a"), new Email("2", "b"), new Email("3", "c")));
    assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r.duplicate()).isFalse());

    List<LeasedJob<Email>> got =
        emails.claim(new ClaimRequest("w", Duration.ofSeconds(30), 3, Set.of()), Duration.ZERO);
    assertThat(got)
        .extracting(LeasedJob::id)
        .containsExactly(results.get(0).jobId(), results.get(1).jobId(), results.get(2).jobId());

    assertThat(emails.fail(got.get(0), "boom")).isEqualTo(JobStatus.QUEUED);
    assertThat(emails.failPermanently(got.get(1), "bad")).isEqualTo(JobStatus.DEAD);
    emails.release(got.get(2));

    assertThat(emails.get(got.get(0).id()).lastError()).isEqualTo("boom");
    assertThat(emails.get(got.get(1).id()).status()).isEqualTo(JobStatus.DEAD);
    JobInfo<Email> released = emails.get(got.get(2).id());
    assertThat(released.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(released.attempts()).isZero();
  }

  @Test
  void batchLargerThanOneRequestIsSplit() {
    List<Email> many = new java.util.ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      many.add(new Email("u" + i, "s"));
    }
    List<PushResult> results = emails.pushAll(many);
    assertThat(results).hasSize(2500).doesNotContainNull();
    assertThat(results.stream().map(PushResult::jobId).distinct()).hasSize(2500);
    assertThat(emails.stats().ready()).isEqualTo(2500);
  }

  @Test
  void heartbeatExtendsTheLease() {
    emails.push(new Email("d", "e"));
    LeasedJob<Email> job =
        emails
            .claim(new ClaimRequest("w", Duration.ofSeconds(5), 1, Set.of()), Duration.ZERO)
            .get(0);
    var extended = emails.heartbeat(job, Duration.ofMinutes(10));
    assertThat(extended).isAfter(job.leaseExpiresAt());
    assertThat(emails.get(job.id()).leaseExpiresAt()).isEqualTo(extended);
    assertThat(emails.get(job.id()).leaseWorker()).isEqualTo("w");
  }

  @Test
  void longPollClaimReturnsAJobPushedWhileWaiting() throws Exception {
    var waiting =
        emails.claimAsync(new ClaimRequest("w", null, 1, Set.of()), Duration.ofSeconds(10));
    String id = emails.push(new Email("late", "arrival"));
    assertThat(waiting.get(10, java.util.concurrent.TimeUnit.SECONDS))
        .extracting(LeasedJob::id)
        .containsExactly(id);
  }

  @Test
  void errorsMapToTheCasqExceptionsWithTheBrokersMessage() {
    String id = emails.push(new Email("e", "f"));
    LeasedJob<Email> job = emails.claim("w").orElseThrow();
    LeasedJob<Email> forged =
        new LeasedJob<>(
            job.id(),
            job.payload(),
            job.payloadJson(),
            "not-the-token",
            job.leaseExpiresAt(),
            1,
            5,
            null,
            0);

    assertThatThrownBy(() -> emails.complete(forged))
        .isInstanceOf(LeaseRejectedException.class)
        .hasMessageContaining("wrong lease token");
    assertThatThrownBy(() -> emails.get("j999"))
        .isInstanceOf(JobNotFoundException.class)
        .hasMessageContaining("j999");
    assertThatThrownBy(
            () ->
                emails.claim(new ClaimRequest("w", Duration.ofDays(3), 1, Set.of()), Duration.ZERO))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("lease must be positive");
    assertThatThrownBy(() -> emails.pushJson("{\"a\": 1} trailing", PushOptions.none()))
        .isInstanceOf(InvalidRequestException.class);
    emails.complete(job);
    assertThat(emails.get(id).status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void unknownQueueAndWrongTokenAreClearErrors() {
    try (CasqClient other =
        CasqClient.builder().brokerUrl(broker.address()).queueName("nope").build()) {
      assertThatThrownBy(() -> other.queue(JsonNode.class).stats())
          .isInstanceOf(UnknownQueueException.class);
    }
    String secured = Brokers.store(dir, "secured");
    try (CasqBroker b = Brokers.builder(secured).token("s3cret").build().start();
        CasqClient wrong =
            CasqClient.builder()
                .storeUri(secured)
                .storeProperties(Brokers.props())
                .takeover(TakeoverPolicy.NONE)
                .token("guess")
                .build();
        CasqClient right =
            CasqClient.builder()
                .storeUri(secured)
                .storeProperties(Brokers.props())
                .takeover(TakeoverPolicy.NONE)
                .token("s3cret")
                .build()) {
      assertThatThrownBy(() -> wrong.queue(JsonNode.class).pushJson("1", PushOptions.none()))
          .isInstanceOf(UnauthorizedException.class)
          .hasMessageNotContaining("guess");
      assertThat(right.queue(JsonNode.class).pushJson("1", PushOptions.none()).jobId())
          .isNotBlank();
      assertThat(right.currentBroker()).contains(b.address());
    }
  }

  @Test
  void badConfigurationIsRefusedAtBuild() {
    assertThatThrownBy(() -> CasqClient.builder().build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("store URI");
    assertThatThrownBy(() -> CasqClient.builder().brokerUrl("http://127.0.0.1:1").build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("queue name is required");
    assertThatThrownBy(() -> CasqClient.builder().brokerUrl("ftp://x").queueName("q").build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("http://");
    assertThatThrownBy(
            () -> CasqClient.builder().storeUri(store).requestTimeout(Duration.ZERO).build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("request timeout");
    assertThatThrownBy(
            () ->
                CasqClient.builder()
                    .config(java.util.Map.of("client.store", store, "client.takeover", "sometimes"))
                    .build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("takeover");
    assertThatThrownBy(() -> CasqClient.builder().storeUri("nosuch://x/q.json").build())
        .isInstanceOf(dev.casq.storage.StoreConfigurationException.class)
        .hasMessageContaining("nosuch");
  }
}
