package dev.casq.it.readme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.core.Casq;
import dev.casq.core.ClaimedJob;
import dev.casq.core.PushOptions;
import dev.casq.core.Queue;
import dev.casq.core.Worker;
import dev.casq.core.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Getting started (embedded)" code, verbatim but for the path: it must work. */
class ReadmeEmbeddedExampleTest {
  record Email(String to, String subject) {}

  @TempDir Path dir;

  @Test
  void theReadmeExampleWorks() throws Exception {
    String uri = dir.toUri() + "emails.json"; // the README uses file:///tmp/emails.json
    List<String> sent = new CopyOnWriteArrayList<>();

    // --- README: push and claim by hand
    try (Queue<Email> emails = Casq.open(uri, Email.class)) {
      String id = emails.push(new Email("ada@example.com", "Welcome!"));
      emails.push(new Email("bob@example.com", "Your order"),
          PushOptions.none().key("order-1001").priority(10));

      ClaimedJob<Email> job = emails.claim("worker-1").orElseThrow();
      sent.add(job.payload().to()); // send the email here
      emails.complete(job);
      assertThat(job.id()).isNotEqualTo(id); // priority 10 came first

      // --- README: a worker with automatic heartbeats
      try (Worker<Email> worker =
          emails.worker(
              j -> sent.add(j.payload().to()), // throw to fail the attempt (retried later)
              WorkerOptions.of("worker-1", 4))) {
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> emails.stats().pending() == 0);
      }
      System.out.println(emails.stats());
      assertThat(emails.stats().counters().completed()).isEqualTo(2);
    }
    assertThat(sent).containsExactly("bob@example.com", "ada@example.com");
  }
}
