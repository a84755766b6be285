package dev.casq.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The sample, embedded on a file:// queue: jobs pushed over HTTP are handled by type. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTest {
  @TempDir static Path dir;

  @DynamicPropertySource
  static void store(DynamicPropertyRegistry registry) {
    registry.add("casq.store", () -> dir.resolve("jobs.json").toUri().toString());
    registry.add("casq.store-properties.file.fsync", () -> "false");
    registry.add("casq.worker.poll-wait", () -> "200ms");
  }

  @Autowired TestRestTemplate http;

  @Test
  void jobsOfBothTypesPushedOverHttpAreHandledByTheirHandlers() {
    ResponseEntity<JobsController.Pushed> email =
        http.postForEntity(
            "/jobs/email",
            new Jobs.Email("ada@example.com", "Welcome!"),
            JobsController.Pushed.class);
    ResponseEntity<JobsController.Pushed> report =
        http.postForEntity(
            "/jobs/report", new Jobs.Report("q3-sales", 12), JobsController.Pushed.class);
    assertThat(email.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
    assertThat(report.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
    String emailId = email.getBody().id();
    String reportId = report.getBody().id();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(handled())
                    .contains(
                        new Jobs.Handled(emailId, "email", "sent 'Welcome!' to ada@example.com"),
                        new Jobs.Handled(reportId, "report", "built q3-sales (12 pages)")));
  }

  @Test
  void aRetriedPushWithTheSameKeyCreatesNoSecondJob() {
    HttpHeaders headers = new HttpHeaders();
    headers.set("Idempotency-Key", "welcome-bob");
    JobsController.Pushed first =
        http.postForObject(
            "/jobs/email",
            new HttpEntity<>(new Jobs.Email("bob@example.com", "Hi"), headers),
            JobsController.Pushed.class);
    JobsController.Pushed again =
        http.postForObject(
            "/jobs/email",
            new HttpEntity<>(new Jobs.Email("bob@example.com", "Hi"), headers),
            JobsController.Pushed.class);
    assertThat(first.duplicate()).isFalse();
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.duplicate()).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(handled()).filteredOn(h -> h.id().equals(first.id())).hasSize(1));
  }

  @Test
  void healthShowsTheQueueUpWithItsStats() {
    JsonNode health = http.getForObject("/actuator/health", JsonNode.class);
    assertThat(health.path("status").asText()).isEqualTo("UP");
    JsonNode casq = health.path("components").path("casq");
    assertThat(casq.path("status").asText()).isEqualTo("UP");
    assertThat(casq.path("details").has("ready")).isTrue();
    assertThat(casq.path("details").has("revision")).isTrue();
  }

  @Test
  void theQueuesMetersAreExported() {
    http.postForEntity(
        "/jobs/email", new Jobs.Email("eve@example.com", "Meters"), JobsController.Pushed.class);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode pushed =
                  http.getForObject(
                      "/actuator/metrics/casq.queue.events?tag=event:pushed&tag=queue:jobs",
                      JsonNode.class);
              assertThat(pushed.path("measurements").get(0).path("value").asDouble())
                  .isGreaterThan(0);
            });
  }

  private List<Jobs.Handled> handled() {
    return Arrays.asList(http.getForObject("/jobs/handled", Jobs.Handled[].class));
  }
}
