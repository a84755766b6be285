package dev.casq.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.CorruptStateException;
import dev.casq.api.LeaseRejectedException;
import dev.casq.api.LeasedJob;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.Tokens;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.tck.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedQueueTest {
  record Email(String to, String subject) {}

  final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));
  MemoryObjectStore store;
  Queue<Email> queue;
  String key;

  @BeforeEach
  void open() {
    store = new MemoryObjectStore();
    key = "queues/" + UUID.randomUUID() + ".json";
    queue = open(store);
  }

  Queue<Email> open(MemoryObjectStore s) {
    QueueOptions options =
        QueueOptions.builder().clock(clock).tokens(Tokens.sequential("t")).build();
    JobQueue jobs = JobQueue.open(new StoreLocation(s, key), options);
    return new Queue<>(
        jobs,
        options.objectMapper(),
        options.objectMapper().getTypeFactory().constructType(Email.class));
  }

  @AfterEach
  void close() {
    queue.close();
  }

  @Test
  void pushClaimCompleteRoundTripIsDurable() {
    String id = queue.push(new Email("ada@example.com", "hello"));
    LeasedJob<Email> job = queue.claim("w1").orElseThrow();
    assertThat(job.id()).isEqualTo(id);
    assertThat(job.payload()).isEqualTo(new Email("ada@example.com", "hello"));
    assertThat(job.attempts()).isEqualTo(1);
    assertThat(queue.claim("w2")).isEmpty();
    queue.complete(job);
    dev.casq.api.QueueStats stats = queue.stats();
    assertThat(stats.pending()).isZero();
    assertThat(stats.counters().completed()).isEqualTo(1);

    // a second engine on the same object sees everything that was acknowledged
    try (Queue<Email> again = open(store)) {
      assertThat(again.stats().counters().pushed()).isEqualTo(1);
      assertThat(again.stats().counters().completed()).isEqualTo(1);
    }
  }

  @Test
  void expiredLeaseMakesTheJobClaimableAgainAndCountsTheAttempt() {
    queue.push(new Email("a", "b"));
    LeasedJob<Email> first =
        queue.claim(new ClaimRequest("w1", Duration.ofSeconds(10), 1, null), Duration.ZERO).get(0);
    clock.advance(Duration.ofSeconds(11));
    LeasedJob<Email> second = queue.claim("w2").orElseThrow();
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(second.attempts()).isEqualTo(2);
    assertThatThrownBy(() -> queue.complete(first)).isInstanceOf(LeaseRejectedException.class);
    queue.complete(second);
    assertThat(queue.stats().counters().expired()).isEqualTo(1);
  }

  @Test
  void corruptObjectIsRefusedAndLeftUntouched() {
    String bad = "queues/bad-" + UUID.randomUUID() + ".json";
    store.put(bad, "{\"hello\":\"world\"}".getBytes());
    byte[] before = store.read(bad).orElseThrow().data();
    assertThatThrownBy(() -> JobQueue.open(new StoreLocation(store, bad), QueueOptions.defaults()))
        .isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("not a casq queue");
    assertThat(store.read(bad).orElseThrow().data()).isEqualTo(before);
  }

  @Test
  void longPollClaimWakesWhenAJobArrives() throws Exception {
    var waiting = queue.claimAsync(new ClaimRequest("w", null, 1, null), Duration.ofSeconds(30));
    assertThat(waiting).isNotDone();
    String id = queue.push(new Email("x", "y"));
    List<LeasedJob<Email>> got = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(got).extracting(LeasedJob::id).containsExactly(id);
  }
}
