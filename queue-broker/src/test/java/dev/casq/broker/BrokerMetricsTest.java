package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.core.QueueOptions;
import dev.casq.micrometer.CasqMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} of a real broker after pushes, claims, completions and failures: the counters,
 * gauges and histogram buckets move under the names docs/operations.md and the Grafana dashboard
 * use, and every metric those name exists in a real scrape.
 */
class BrokerMetricsTest {
  private static final Path OPERATIONS = Path.of("..", "docs", "operations.md");
  private static final Path DASHBOARD = Path.of("..", "docs", "grafana", "casq-dashboard.json");

  /** A sample line: name, labels (whose quoted values may hold braces), value. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*\\})? (\\S+)$");

  /** A metric name in PromQL: ours, HTTP's, the JVM's and the process's. */
  private static final Pattern METRIC_NAME =
      Pattern.compile("\\b((?:casq|http_server|jvm|process|system)_[a-z0-9_]+)\\b");

  private CasqBroker broker;
  private Http http;

  @BeforeEach
  void start() {
    broker =
        CasqBroker.builder()
            .queue("mem://metrics-" + UUID.randomUUID() + "/jobs.json")
            .listen("127.0.0.1", 0)
            .queueOptions(
                QueueOptions.builder().backoff(Duration.ofMillis(1), Duration.ofMillis(1)).build())
            .build()
            .start();
    http = new Http(broker.address());
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  /** Series (name and labels as printed) to value. */
  private Map<String, Double> scrape() {
    Http.Reply r = http.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    Map<String, Double> series = new HashMap<>();
    for (String line : r.text().split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.matches()) {
        series.put(
            m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
      }
    }
    return series;
  }

  private static Set<String> names(Map<String, Double> series) {
    Set<String> names = new TreeSet<>();
    for (String s : series.keySet()) {
      int brace = s.indexOf('{');
      names.add(brace < 0 ? s : s.substring(0, brace));
    }
    return names;
  }

  private String push(String body) {
    Http.Reply r = http.post("/v1/queues/jobs/jobs", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json().get("id").asText();
  }

  private JsonNode claimOne() {
    Http.Reply r = http.post("/v1/queues/jobs/claim", "{\"worker\":\"w\"}");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().get("jobs").get(0);
  }

  private static double event(Map<String, Double> s, String event) {
    return s.getOrDefault("casq_queue_events_total{event=\"" + event + "\",queue=\"jobs\"}", -1.0);
  }

  private static double jobs(Map<String, Double> s, String state) {
    return s.getOrDefault("casq_queue_jobs{queue=\"jobs\",state=\"" + state + "\"}", -1.0);
  }

  @Test
  void countersGaugesAndHistogramsMoveWithTheQueue() {
    Map<String, Double> before = scrape();
    assertThat(event(before, "pushed")).isZero();
    assertThat(before).containsKey("casq_queue_oldest_ready_age_seconds{queue=\"jobs\"}");

    for (int i = 0; i < 4; i++) {
      push("{\"payload\":" + i + "}");
    }
    JsonNode done = claimOne();
    http.post(
        "/v1/queues/jobs/jobs/" + done.get("id").asText() + "/complete",
        "{\"leaseToken\":\"" + done.get("leaseToken").asText() + "\"}");
    JsonNode retried = claimOne();
    Http.Reply f1 =
        http.post(
            "/v1/queues/jobs/jobs/" + retried.get("id").asText() + "/fail",
            "{\"leaseToken\":\"" + retried.get("leaseToken").asText() + "\",\"error\":\"later\"}");
    assertThat(f1.json().get("status").asText()).isEqualTo("queued");
    JsonNode dead = claimOne();
    Http.Reply f2 =
        http.post(
            "/v1/queues/jobs/jobs/" + dead.get("id").asText() + "/fail",
            "{\"leaseToken\":\""
                + dead.get("leaseToken").asText()
                + "\",\"error\":\"never\",\"retry\":false}");
    assertThat(f2.json().get("status").asText()).isEqualTo("dead");
    // refused: a wrong lease token commits nothing and counts nothing
    assertThat(
            http.post(
                    "/v1/queues/jobs/jobs/" + done.get("id").asText() + "/complete",
                    "{\"leaseToken\":\"nope\"}")
                .status())
        .isGreaterThanOrEqualTo(400);

    await()
        .untilAsserted(
            () -> {
              Map<String, Double> s = scrape();
              assertThat(event(s, "pushed")).isEqualTo(4);
              assertThat(event(s, "claimed")).isEqualTo(3);
              assertThat(event(s, "completed")).isEqualTo(1);
              assertThat(event(s, "failed")).isEqualTo(2);
              assertThat(event(s, "dead")).isEqualTo(1);
              assertThat(event(s, "retried")).isEqualTo(1);
              assertThat(event(s, "expired")).isZero();
              assertThat(jobs(s, "leased")).isZero();
              assertThat(jobs(s, "ready") + jobs(s, "scheduled")).isEqualTo(2);
              assertThat(jobs(s, "dead") + event(s, "archived")).isEqualTo(1);
            });

    Map<String, Double> s = scrape();
    double commits = s.get("casq_commits_total{queue=\"jobs\"}");
    assertThat(commits).isGreaterThanOrEqualTo(7);
    assertThat(s.get("casq_commit_write_seconds_count{queue=\"jobs\"}")).isEqualTo(commits);
    assertThat(s.get("casq_commit_write_seconds_bucket{queue=\"jobs\",le=\"+Inf\"}"))
        .isEqualTo(commits);
    assertThat(s).containsKey("casq_commit_write_seconds_bucket{queue=\"jobs\",le=\"0.005\"}");
    assertThat(s.get("casq_commit_batch_size_count{queue=\"jobs\"}")).isEqualTo(commits);
    assertThat(s.get("casq_commit_batch_size_sum{queue=\"jobs\"}"))
        .isEqualTo(s.get("casq_commands_total{queue=\"jobs\"}"));
    assertThat(s.keySet().stream().filter(k -> k.startsWith("casq_commit_batch_size_bucket{")))
        .hasSize(CasqMetrics.BATCH_BUCKETS.size() + 1);
    assertThat(
            s.get(
                "http_server_requests_seconds_bucket{method=\"POST\",outcome=\"SUCCESS\","
                    + "status=\"201\",uri=\"/v1/queues/{q}/jobs\",le=\"+Inf\"}"))
        .isEqualTo(4);
    assertThat(
            s.keySet().stream()
                .filter(
                    k ->
                        k.startsWith(
                            "http_server_requests_seconds_bucket{method=\"POST\","
                                + "outcome=\"SUCCESS\",status=\"201\",uri=\"/v1/queues/{q}/jobs\"")))
        .hasSize(CasqMetrics.LATENCY_BUCKETS.size() + 1);
    assertThat(s)
        .containsKey(
            "http_server_requests_seconds_count{method=\"POST\","
                + "outcome=\"CLIENT_ERROR\",status=\"404\",uri=\"/v1/queues/{q}/jobs/{id}/complete\"}");

    assertThat(names(s))
        .contains(
            "jvm_memory_used_bytes",
            "jvm_threads_live_threads",
            "jvm_gc_max_data_size_bytes",
            "jvm_classes_loaded_classes",
            "process_cpu_usage",
            "system_cpu_count",
            "process_uptime_seconds",
            "process_start_time_seconds",
            "process_files_open_files");
  }

  @Test
  void everyMetricTheAlertRulesAndTheDashboardUseExists() throws IOException {
    push("{\"payload\":1}");
    JsonNode j = claimOne();
    http.post(
        "/v1/queues/jobs/jobs/" + j.get("id").asText() + "/complete",
        "{\"leaseToken\":\"" + j.get("leaseToken").asText() + "\"}");
    System.gc(); // the GC pause meters appear with the first collection
    await().until(() -> names(scrape()).contains("jvm_gc_pause_seconds_sum"));
    Set<String> exposed = names(scrape());

    String operations = Files.readString(OPERATIONS);
    int rules = operations.indexOf("```yaml\ngroups:");
    assertThat(rules).as("docs/operations.md has the alert rules").isPositive();
    String rulesText = operations.substring(rules, operations.indexOf("```\n", rules + 7));
    Set<String> inRules = metricNames(rulesText);
    assertThat(inRules)
        .contains(
            "casq_queue_jobs",
            "casq_queue_oldest_ready_age_seconds",
            "casq_queue_events_total",
            "casq_commit_errors_total",
            "casq_queue_state");
    assertThat(exposed).as("metrics named in the alert rules").containsAll(inRules);

    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    StringBuilder exprs = new StringBuilder();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.path("targets")) {
        exprs.append(target.get("expr").asText()).append('\n');
      }
    }
    Set<String> inDashboard = metricNames(exprs.toString());
    assertThat(inDashboard).hasSizeGreaterThan(8);
    assertThat(exposed).as("metrics named in the Grafana dashboard").containsAll(inDashboard);
  }

  private static Set<String> metricNames(String promql) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC_NAME.matcher(promql);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
