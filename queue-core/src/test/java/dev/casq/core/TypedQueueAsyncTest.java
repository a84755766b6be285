package dev.casq.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.casq.api.ClaimRequest;
import dev.casq.api.JobNotFoundException;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.PushResult;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The typed queue's asynchronous variants and what its value types print. */
class TypedQueueAsyncTest {
  record Email(String to, String subject) {}

  @Test
  void everyCallHasAnAsyncVariant() throws Exception {
    try (Queue<Email> q =
        Casq.open("mem://async-" + UUID.randomUUID() + "/emails.json", Email.class)) {
      PushResult a = q.pushAsync(new Email("ada@example.com", "hi")).get();
      PushResult b =
          q.pushAsync(new Email("bob@example.com", "yo"), PushOptions.none().key("k").priority(3))
              .get();
      assertThat(a.duplicate()).isFalse();

      LeasedJob<Email> first = q.claimAsync("w").get().orElseThrow();
      assertThat(first.id()).isEqualTo(b.jobId());
      assertThat(q.heartbeatAsync(first, Duration.ofMinutes(1)).get())
          .isAfter(first.leaseExpiresAt());
      q.completeAsync(first, "sent").get();

      LeasedJob<Email> second = q.claimAsync("w").get().orElseThrow();
      assertThat(q.failAsync(second, "smtp down").get()).isEqualTo(dev.casq.api.JobStatus.QUEUED);
      String c = q.push(new Email("cy@example.com", "x"));
      q.cancelAsync(c).get();
      LeasedJob<Email> third =
          q.claimAsync(new ClaimRequest("w", null, 1, null), Duration.ofSeconds(5)).get().get(0);
      q.releaseAsync(third).get();
      LeasedJob<Email> again =
          q.claimAsync(new ClaimRequest("w", null, 1, null), Duration.ofSeconds(5)).get().get(0);
      assertThat(q.failPermanentlyAsync(again, "bad address").get())
          .isEqualTo(dev.casq.api.JobStatus.DEAD);
      assertThat(q.claimAsync("w").get()).isEmpty();

      dev.casq.api.QueueStats stats = q.statsAsync().get();
      assertThat(stats.counters().completed()).isEqualTo(1);
      assertThat(stats.counters().dead()).isEqualTo(1);
      assertThat(stats.counters().cancelled()).isEqualTo(1);
      assertThat(stats.toString())
          .contains("counters=Counters[pushed=3, claimed=4, completed=1, failed=2, dead=1,")
          .doesNotContain("@");
      assertThat(again.toString())
          .startsWith("LeasedJob{id=" + again.id() + ", payload=Email[to=ada@example.com")
          .doesNotContain(again.leaseToken());

      assertThatThrownBy(() -> q.cancelAsync("no-such-job").get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(JobNotFoundException.class);
    }
  }
}
