package dev.casq.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: headless Chromium from the system packages (Debian's {@code
 * chromium} and {@code chromium-driver}), driven by Selenium against a real broker. Skipped, with
 * the reason printed, when they are not installed, unless {@code CASQ_TEST_REQUIRE_BROWSER=true}
 * (CI) makes that a failure.
 *
 * <p>The screenshot of the dashboard under load goes to {@code target/dashboard.png}, or to the
 * path in the system property {@code casq.dashboard.screenshot} (docs/operations.md).
 */
class DashboardBrowserTest {
  private static final String TOKEN = "browser-token-5d1e";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static Path chromium;
  private static Path chromedriver;
  private static String missing;

  @BeforeAll
  static void findTheBrowser() {
    chromium = firstExisting("/usr/bin/chromium", "/usr/bin/chromium-browser").orElse(null);
    chromedriver =
        firstExisting("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver").orElse(null);
    String missing =
        chromium == null
            ? "no Chromium (/usr/bin/chromium): apt-get install chromium chromium-driver"
            : chromedriver == null
                ? "no ChromeDriver (/usr/bin/chromedriver): apt-get install chromium-driver"
                : null;
    if (missing != null) {
      if ("true".equals(System.getenv("CASQ_TEST_REQUIRE_BROWSER"))) {
        throw new IllegalStateException("CASQ_TEST_REQUIRE_BROWSER=true but " + missing);
      }
    }
    DashboardBrowserTest.missing = missing;
  }

  /** Skips each test, with the reason printed, when the browser is missing. */
  @BeforeEach
  void needsTheBrowser() {
    if (missing != null) {
      System.out.println("DashboardBrowserTest skipped: " + missing);
    }
    assumeTrue(missing == null, missing);
  }

  private static Optional<Path> firstExisting(String... paths) {
    for (String p : paths) {
      Path path = Path.of(p);
      if (Files.isExecutable(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  private static WebDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--lang=en-US",
        "--window-size=1400,1500");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort()
            .build();
    return new ChromeDriver(service, options);
  }

  @Test
  void anOperatorWatchesFindsPushesAndIsRefusedAWrongToken() throws IOException {
    String store = "browser-" + UUID.randomUUID();
    try (CasqBroker broker =
        CasqBroker.builder()
            .queue("mem://" + store + "/q.json")
            .listen("127.0.0.1", 0)
            .token(TOKEN)
            .dashboardSampleInterval(Duration.ofMillis(250))
            .build()
            .start()) {
      Http api = new Http(broker.address(), TOKEN);
      WebDriver page = browser();
      try {
        // the page loads, asks for the token, then shows the queue
        page.get(broker.address() + "/");
        await(page, p -> text(p, "#status").equals("token needed"));
        page.findElement(By.id("token")).sendKeys(TOKEN);
        page.findElement(By.cssSelector("#auth button")).click();
        await(page, p -> text(p, "#status").equals("1/1 queues serving"));
        assertThat(counter(page, "pushed")).isZero();
        await(page, p -> chartPoints(p, "rates") > 0); // the rates start from a sample before

        // the counters and a chart move when jobs are pushed
        for (int i = 0; i < 20; i++) {
          String payload = "{\"payload\":{\"order\":\"needle-" + i + "\",\"qty\":" + i + "}}";
          assertThat(api.post("/v1/queues/q/jobs", payload).status()).isEqualTo(201);
        }
        await(page, p -> counter(p, "pushed") == 20 && counter(p, "ready") == 20);
        await(page, p -> chartMax(p, "rates") > 0 && chartMax(p, "depth") >= 20);

        // a job is found in the job table and its detail shows the payload
        page.findElement(By.id("search")).sendKeys("needle-7");
        page.findElement(By.id("find")).click();
        await(page, p -> p.findElements(By.cssSelector("#job-rows tr[data-job]")).size() == 1);
        WebElement row = page.findElement(By.cssSelector("#job-rows tr[data-job]"));
        String foundId = row.getAttribute("data-job");
        assertThat(row.getText()).contains("needle-7").contains("queued");
        row.click();
        await(page, p -> text(p, "#detail-payload").contains("\"needle-7\""));
        assertThat(text(page, "#detail")).contains("Job " + foundId).contains("0 of ");

        // a dead job shows in the dead-letter panel with its last error
        String deadId =
            api.post("/v1/queues/q/jobs", "{\"payload\":\"poison\",\"maxAttempts\":1}")
                .json()
                .get("id")
                .asText();
        String leaseToken = claim(api, deadId);
        api.post(
            "/v1/queues/q/jobs/" + deadId + "/fail",
            "{\"leaseToken\":\"" + leaseToken + "\",\"error\":\"poison pill rejected\"}");
        page.findElement(By.id("dead-refresh")).click();
        await(
            page,
            p ->
                text(p, "#dead-rows tr[data-job='" + deadId + "']")
                    .contains("poison pill rejected"));

        // retried through the page, it is queued again with its payload and can be completed
        page.findElement(By.cssSelector("#dead-rows tr[data-job='" + deadId + "'] button")).click();
        await(page, p -> text(p, "#dead-note").equals("retry " + deadId + ": done"));
        JsonNode retried = api.get("/v1/queues/q/jobs/" + deadId).json();
        assertThat(retried.get("status").asText()).isEqualTo("queued");
        assertThat(retried.get("payload").asText()).isEqualTo("poison");
        await(page, p -> p.findElements(By.cssSelector("#dead-rows tr[data-job]")).isEmpty());
        String again = claim(api, deadId);
        api.post("/v1/queues/q/jobs/" + deadId + "/complete", "{\"leaseToken\":\"" + again + "\"}");
        assertThat(api.get("/v1/queues/q/jobs/" + deadId).json().get("status").asText())
            .isEqualTo("completed");

        // a dead job purged through the page is gone
        String purgedId =
            api.post("/v1/queues/q/jobs", "{\"payload\":\"junk\",\"maxAttempts\":1}")
                .json()
                .get("id")
                .asText();
        api.post(
            "/v1/queues/q/jobs/" + purgedId + "/fail",
            "{\"leaseToken\":\"" + claim(api, purgedId) + "\",\"error\":\"junk\"}");
        page.findElement(By.id("dead-refresh")).click();
        await(
            page,
            p ->
                !p.findElements(By.cssSelector("#dead-rows tr[data-job='" + purgedId + "']"))
                    .isEmpty());
        page.findElements(By.cssSelector("#dead-rows tr[data-job='" + purgedId + "'] button"))
            .get(1)
            .click();
        await(page, p -> text(p, "#dead-note").equals("purge " + purgedId + ": done"));
        assertThat(api.get("/v1/queues/q/jobs/" + purgedId).status()).isEqualTo(404);

        // a test job pushed through the page appears in the table, exactly as typed
        WebElement payloadBox = page.findElement(By.id("push-payload"));
        payloadBox.clear();
        payloadBox.sendKeys("{\"from\": \"the page\", \"n\": 1}");
        page.findElement(By.id("push-go")).click();
        await(page, p -> text(p, "#push-result").startsWith("pushed "));
        String pushedId = page.findElement(By.id("push-result")).getAttribute("data-job");
        await(
            page,
            p ->
                !p.findElements(By.cssSelector("#job-rows tr[data-job='" + pushedId + "']"))
                    .isEmpty());
        JsonNode pushed = api.get("/v1/queues/q/jobs/" + pushedId).json();
        assertThat(pushed.get("payload").toString()).isEqualTo("{\"from\":\"the page\",\"n\":1}");
        await(page, p -> counter(p, "pushed") == 23);

        screenshotUnderLoad(page, api);

        // with a wrong token, pushing from the page is refused and changes nothing
        long before = pushedTotal(api);
        WebElement token = page.findElement(By.id("token"));
        token.clear();
        token.sendKeys("not-" + TOKEN);
        page.findElement(By.cssSelector("#auth button")).click();
        await(page, p -> text(p, "#status").equals("token needed"));
        page.findElement(By.id("push-go")).click();
        await(page, p -> text(p, "#push-result").startsWith("refused: unauthorized"));
        assertThat(pushedTotal(api)).isEqualTo(before);
      } finally {
        page.quit();
      }
    }
  }

  /**
   * Runs producers and a worker against the broker until the rate chart holds enough points, then
   * saves a screenshot of the page.
   */
  private static void screenshotUnderLoad(WebDriver page, Http api) throws IOException {
    AtomicBoolean running = new AtomicBoolean(true);
    Thread producer =
        new Thread(
            () -> {
              int round = 0;
              while (running.get()) {
                // bursts of 10 to 130 jobs about every 40 ms: a load that rises and falls
                int n = 10 + (round++ % 13) * 10;
                StringBuilder batch = new StringBuilder("{\"jobs\":[");
                for (int i = 0; i < n; i++) {
                  batch.append(i == 0 ? "" : ",").append("{\"payload\":{\"email\":");
                  batch.append(i).append("}}");
                }
                api.post("/v1/queues/q/jobs/batch", batch.append("]}").toString());
                LockSupport.parkNanos(40_000_000L); // pacing of the load, not a wait for a result
              }
            },
            "dashboard-load-producer");
    List<Thread> workers = new java.util.ArrayList<>();
    for (int w = 0; w < 3; w++) {
      String name = "mailer-" + w;
      workers.add(
          new Thread(
              () -> {
                while (running.get()) {
                  JsonNode jobs =
                      api.post("/v1/queues/q/claim", "{\"worker\":\"" + name + "\",\"limit\":20}")
                          .json()
                          .get("jobs");
                  for (JsonNode j : jobs) {
                    String id = j.get("id").asText();
                    String lease = "\"leaseToken\":\"" + j.get("leaseToken").asText() + "\"";
                    if (id.endsWith("7")) {
                      api.post(
                          "/v1/queues/q/jobs/" + id + "/fail",
                          "{" + lease + ",\"error\":\"smtp 451 try again later\"}");
                    } else {
                      api.post("/v1/queues/q/jobs/" + id + "/complete", "{" + lease + "}");
                    }
                  }
                }
              },
              "dashboard-load-" + name));
    }
    producer.start();
    workers.forEach(Thread::start);
    try {
      await(
          page,
          p ->
              chartPoints(p, "rates") >= 60
                  && chartMax(p, "rates") > 0
                  && counter(p, "completed") > 100);
      Path shot = ((TakesScreenshot) page).getScreenshotAs(OutputType.FILE).toPath();
      Path target =
          Path.of(System.getProperty("casq.dashboard.screenshot", "target/dashboard.png"));
      Files.createDirectories(target.toAbsolutePath().getParent());
      Files.copy(shot, target, StandardCopyOption.REPLACE_EXISTING);
      assertThat(Files.size(target)).isPositive();
      System.out.println("dashboard screenshot: " + target.toAbsolutePath());
    } finally {
      running.set(false);
      joinQuietly(producer);
      workers.forEach(DashboardBrowserTest::joinQuietly);
    }
  }

  private static void joinQuietly(Thread t) {
    try {
      t.join(WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String claim(Http api, String id) {
    for (JsonNode j :
        api.post("/v1/queues/q/claim", "{\"worker\":\"w\",\"limit\":100}").json().get("jobs")) {
      if (j.get("id").asText().equals(id)) {
        return j.get("leaseToken").asText();
      }
    }
    throw new AssertionError("job " + id + " was not claimed");
  }

  private static long pushedTotal(Http api) {
    return api.get("/v1/queues/q/stats").json().get("counters").get("pushed").asLong();
  }

  private static void await(WebDriver page, Function<WebDriver, Boolean> condition) {
    new WebDriverWait(page, WAIT)
        .ignoring(NoSuchElementException.class)
        .ignoring(StaleElementReferenceException.class)
        .until(condition);
  }

  private static String text(WebDriver page, String css) {
    return page.findElement(By.cssSelector(css)).getText();
  }

  private static long counter(WebDriver page, String name) {
    String v =
        text(page, "[data-queue='q'] [data-counter='" + name + "'] .v").replaceAll("[^0-9]", "");
    return v.isEmpty() ? -1 : Long.parseLong(v);
  }

  private static double chartMax(WebDriver page, String chart) {
    return Double.parseDouble(chartSvg(page, chart).getAttribute("data-max"));
  }

  private static int chartPoints(WebDriver page, String chart) {
    return Integer.parseInt(chartSvg(page, chart).getAttribute("data-points"));
  }

  private static WebElement chartSvg(WebDriver page, String chart) {
    List<WebElement> found =
        page.findElements(By.cssSelector("[data-queue='q'] [data-chart='" + chart + "'] svg"));
    if (found.isEmpty()) {
      throw new NoSuchElementException("no chart " + chart);
    }
    return found.get(0);
  }
}
