package dev.casq.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.ClaimRequest;
import dev.casq.api.LeasedJob;
import dev.casq.api.Schedule;
import dev.casq.core.internal.JobQueue;
import dev.casq.core.internal.Tokens;
import dev.casq.storage.MemoryObjectStore;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.tck.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Recurring schedules through the embedded queue, with two writers on one queue object. */
class EmbeddedSchedulesTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:10Z"));
  private final MemoryObjectStore store = new MemoryObjectStore();
  private final String key = "queues/" + UUID.randomUUID() + ".json";

  private Queue<String> open(String tokenPrefix) {
    QueueOptions options =
        QueueOptions.builder().clock(clock).tokens(Tokens.sequential(tokenPrefix)).build();
    JobQueue jobs = JobQueue.open(new StoreLocation(store, key), options);
    return new Queue<>(
        jobs,
        options.objectMapper(),
        options.objectMapper().getTypeFactory().constructType(String.class));
  }

  private String committed() {
    return store
        .read(key)
        .map(v -> new String(v.data(), java.nio.charset.StandardCharsets.UTF_8))
        .orElse("");
  }

  @Test
  void theEnginesTimerFiresADueScheduleWithoutAnyRequest() {
    try (Queue<String> q = open("a")) {
      q.putSchedule(Schedule.cron("minutely", "* * * * *", "\"ping\""));
      assertThat(q.schedules())
          .singleElement()
          .extracting(i -> i.nextFireAt())
          .isEqualTo(Instant.parse("2026-11-25T12:01:00Z"));
      clock.advance(Duration.ofSeconds(50));
      // nothing but the engine's timer runs the tick that fires it
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> committed().contains("casq:schedule:minutely:2026-11-25T12:01:00Z"));
      LeasedJob<String> job = q.claim("w").orElseThrow();
      assertThat(job.payload()).isEqualTo("ping");
      assertThat(q.schedules().get(0).nextFireAt())
          .isEqualTo(Instant.parse("2026-11-25T12:02:00Z"));
    }
  }

  @Test
  void twoWritersOnOneQueuePushExactlyOneJobPerFireAcrossATakeover() {
    Queue<String> a = open("a");
    a.putSchedule(Schedule.cron("hourly", "0 * * * *", "\"report\"").withType("report"));
    Queue<String> b = open("b"); // reads the object with the schedule in it
    int fires = 0;
    for (int hour = 0; hour < 6; hour++) {
      clock.advance(Duration.ofHours(1));
      fires++;
      if (hour == 3) {
        a.close(); // the first writer goes away; the other carries on alone
      }
      // both writers tick at the same fire, from whatever revision each last read: one write
      // wins, the other loses, re-reads and finds the fire done
      Queue<String> first = hour >= 3 || hour % 2 == 1 ? b : a;
      Queue<String> second = hour < 3 && first == b ? a : b;
      var one = first.statsAsync();
      var two = second.statsAsync();
      one.join();
      two.join();
      assertThat(second.stats().counters().pushed()).as("after fire %d", fires).isEqualTo(fires);
    }
    List<String> keys = new ArrayList<>();
    for (LeasedJob<String> j : b.claim(new ClaimRequest("w", null, 100, null), Duration.ZERO)) {
      keys.add(b.get(j.id()).key());
    }
    assertThat(keys).hasSize(fires).doesNotHaveDuplicates();
    assertThat(keys).allMatch(k -> k.startsWith("casq:schedule:hourly:"));
    b.close();
  }
}
