package dev.casq.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.casq.api.JobHandlers;
import dev.casq.api.LeasedJob;
import dev.casq.api.PushOptions;
import dev.casq.api.Queue;
import dev.casq.api.QueueStats;
import dev.casq.broker.CasqBroker;
import dev.casq.client.ClientQueue;
import dev.casq.core.Casq;
import dev.casq.core.QueueOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class CasqAutoConfigurationTest {
  record Email(String to, String subject) {}

  record Report(String name, int pages) {}

  @TempDir Path dir;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  CasqAutoConfiguration.class,
                  CasqHealthAutoConfiguration.class,
                  CasqMetricsAutoConfiguration.class))
          .withPropertyValues(
              "casq.store-properties.file.fsync=false",
              "casq.worker.poll-wait=100ms",
              "casq.worker.shutdown-grace=5s");

  private String store(String name) {
    return dir.resolve(name + ".json").toUri().toString();
  }

  /** Handlers for two job types, each with its own payload class; records what they ran. */
  @Configuration(proxyBeanMethods = false)
  static class TwoHandlers {
    static final List<Object> handled = new CopyOnWriteArrayList<>();

    @Bean
    CasqHandler<Email> emailHandler() {
      return CasqHandler.of("email", Email.class, job -> handled.add(job.payload()));
    }

    @Bean
    ReportHandler reportHandler() {
      return new ReportHandler();
    }
  }

  /** A handler written as a class, the way a component would be. */
  static class ReportHandler implements CasqHandler<Report> {
    @Override
    public String type() {
      return "report";
    }

    @Override
    public Class<Report> payloadType() {
      return Report.class;
    }

    @Override
    public void handle(LeasedJob<Report> job) {
      TwoHandlers.handled.add(job.payload());
    }
  }

  @Test
  void embeddedQueueFromTheProperties() {
    runner
        .withPropertyValues("casq.store=" + store("jobs"), "casq.embedded.max-attempts=2")
        .run(
            ctx -> {
              assertThat(ctx)
                  .hasNotFailed()
                  .hasSingleBean(Queue.class)
                  .doesNotHaveBean(CasqWorkerLifecycle.class)
                  .doesNotHaveBean(JobHandlers.class);
              @SuppressWarnings("unchecked")
              Queue<Object> q = ctx.getBean(Queue.class);
              assertThat(q).isInstanceOf(dev.casq.core.Queue.class);
              String id = q.push(Map.of("n", 1));
              assertThat(q.get(id).maxAttempts()).isEqualTo(2);
              assertThat(q.stats().ready()).isEqualTo(1);
            });
    // closed with the context: the queue object is free and holds the job
    try (Queue<Object> again =
        Casq.open(
            store("jobs"),
            Object.class,
            QueueOptions.builder().storeProperty("file.fsync", "false").build())) {
      assertThat(again.stats().ready()).isEqualTo(1);
    }
  }

  @Test
  void aMissingStoreStopsTheApplicationWithAClearMessage() {
    runner.run(
        ctx -> {
          assertThat(ctx).hasFailed();
          assertThat(ctx.getStartupFailure())
              .rootCause()
              .isInstanceOf(InvalidCasqPropertiesException.class)
              .hasMessageContaining("casq.store is required");
        });
  }

  @Test
  void everyWrongPropertyIsNamedAndNothingIsOpened() {
    runner
        .withPropertyValues(
            "casq.store=" + store("bad"),
            "casq.worker.concurrency=0",
            "casq.remote.token=secret",
            "casq.worker.lease=-1s")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              InvalidCasqPropertiesException e =
                  (InvalidCasqPropertiesException)
                      org.assertj.core.util.Throwables.getRootCause(ctx.getStartupFailure());
              assertThat(e.problems())
                  .containsExactlyInAnyOrder(
                      "casq.remote.token apply only to casq.mode=remote (casq.mode is embedded)",
                      "casq.worker.concurrency must be from 1 to 10000, got 0",
                      "casq.worker.lease must be a positive duration, got PT-1S");
            });
    assertThat(dir.resolve("bad.json")).doesNotExist();
  }

  @Test
  void remoteModeNeedsAStoreOrABrokerUrlWithAQueueName() {
    runner
        .withPropertyValues("casq.mode=remote", "casq.remote.broker-url=http://127.0.0.1:1")
        .run(
            ctx ->
                assertThat(ctx.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining(
                        "casq.queue-name is required with casq.remote.broker-url"));
    runner
        .withPropertyValues(
            "casq.mode=remote",
            "casq.store=" + store("x"),
            "casq.remote.broker-url=http://127.0.0.1:1")
        .run(
            ctx ->
                assertThat(ctx.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("set casq.store or casq.remote.broker-url, not both"));
    runner
        .withPropertyValues("casq.mode=elsewhere", "casq.store=" + store("x"))
        .run(ctx -> assertThat(ctx).hasFailed());
  }

  @Test
  void handlerBeansAreRegisteredByTypeAndRunByTheWorker() {
    TwoHandlers.handled.clear();
    runner
        .withPropertyValues("casq.store=" + store("two"), "casq.worker.id=w-1")
        .withUserConfiguration(TwoHandlers.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed().hasSingleBean(CasqWorkerLifecycle.class);
              assertThat(ctx.getBean(JobHandlers.class).types())
                  .containsExactlyInAnyOrder("email", "report");
              CasqWorkerLifecycle worker = ctx.getBean(CasqWorkerLifecycle.class);
              assertThat(worker.isRunning()).isTrue();
              assertThat(worker.options().workerId()).isEqualTo("w-1");
              assertThat(worker.options().types()).containsExactlyInAnyOrder("email", "report");
              @SuppressWarnings("unchecked")
              Queue<Object> q = ctx.getBean(Queue.class);
              q.push(new Email("ada@example.com", "Welcome"), PushOptions.none().type("email"));
              q.push(new Report("q3", 12), PushOptions.none().type("report"));
              String other = q.push(Map.of("x", 1), PushOptions.none().type("sms")).jobId();
              await().atMost(Duration.ofSeconds(20)).until(() -> TwoHandlers.handled.size() == 2);
              assertThat(TwoHandlers.handled)
                  .containsExactlyInAnyOrder(
                      new Email("ada@example.com", "Welcome"), new Report("q3", 12));
              await()
                  .atMost(Duration.ofSeconds(20))
                  .until(() -> q.stats().counters().completed() == 2);
              // a type without a handler stays queued for a worker that handles it
              assertThat(q.get(other).status()).isEqualTo(dev.casq.api.JobStatus.QUEUED);
            });
  }

  @Test
  void twoHandlersForOneTypeStopTheApplication() {
    runner
        .withPropertyValues("casq.store=" + store("dup"))
        .withBean("a", CasqHandler.class, () -> CasqHandler.of("email", Email.class, j -> {}))
        .withBean("b", CasqHandler.class, () -> CasqHandler.of("email", Email.class, j -> {}))
        .run(
            ctx ->
                assertThat(ctx.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("two CasqHandler beans handle job type 'email'"));
  }

  @Test
  void aDisabledWorkerLeavesTheHandlersAlone() {
    runner
        .withPropertyValues("casq.store=" + store("off"), "casq.worker.enabled=false")
        .withUserConfiguration(TwoHandlers.class)
        .run(
            ctx ->
                assertThat(ctx)
                    .hasNotFailed()
                    .hasSingleBean(JobHandlers.class)
                    .doesNotHaveBean(CasqWorkerLifecycle.class));
  }

  @Test
  void closingTheContextLetsARunningHandlerFinishBeforeTheQueueCloses() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CasqHandler<Email> slow =
        CasqHandler.of(
            "email",
            Email.class,
            job -> {
              started.countDown();
              // finishes only once the worker is stopping: the job must still complete
              await().atMost(Duration.ofSeconds(20)).until(job::isCancelled);
            });
    runner
        .withPropertyValues("casq.store=" + store("grace"))
        .withBean("slow", CasqHandler.class, () -> slow)
        .run(
            ctx -> {
              @SuppressWarnings("unchecked")
              Queue<Object> q = ctx.getBean(Queue.class);
              q.push(new Email("ada@example.com", "Bye"), PushOptions.none().type("email"));
              assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
            });
    try (Queue<Object> again =
        Casq.open(
            store("grace"),
            Object.class,
            QueueOptions.builder().storeProperty("file.fsync", "false").build())) {
      QueueStats stats = again.stats();
      assertThat(stats.counters().completed()).isEqualTo(1);
      assertThat(stats.leased()).isZero();
    }
  }

  @Test
  void healthIsUpWithTheQueuesStats() {
    runner
        .withPropertyValues("casq.store=" + store("health"))
        .run(
            ctx -> {
              @SuppressWarnings("unchecked")
              Queue<Object> q = ctx.getBean(Queue.class);
              q.push("a");
              q.push("b");
              Health h = ctx.getBean(CasqHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.UP);
              assertThat(h.getDetails())
                  .containsEntry("ready", 2L)
                  .containsEntry("leased", 0L)
                  .containsKey("revision");
            });
  }

  @Test
  void healthIsDownWhenStatsFailOrDoNotAnswer() {
    runner
        .withPropertyValues("casq.health.timeout=200ms")
        .withBean(
            Queue.class,
            () ->
                statsAnswering(
                    CompletableFuture.failedFuture(
                        new dev.casq.storage.StorageException("store unreachable"))))
        .run(
            ctx -> {
              Health h = ctx.getBean(CasqHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.DOWN);
              assertThat(h.getDetails().get("error").toString()).contains("store unreachable");
            });
    runner
        .withPropertyValues("casq.health.timeout=200ms")
        .withBean(Queue.class, () -> statsAnswering(new CompletableFuture<>()))
        .run(
            ctx -> {
              Health h = ctx.getBean(CasqHealthIndicator.class).health();
              assertThat(h.getStatus()).isEqualTo(Status.DOWN);
              assertThat(h.getDetails().get("error").toString())
                  .contains("did not answer within PT0.2S");
            });
  }

  @Test
  void anApplicationsOwnQueueBeanIsUsed() {
    Queue<?> own = statsAnswering(new CompletableFuture<>());
    runner
        .withBean(Queue.class, () -> own)
        .run(ctx -> assertThat(ctx).hasNotFailed().getBean(Queue.class).isSameAs(own));
  }

  @Test
  void meterRegistriesGetTheEmbeddedQueuesMeters() {
    runner
        .withPropertyValues("casq.store=" + store("metered"))
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class))
        .run(
            ctx -> {
              @SuppressWarnings("unchecked")
              Queue<Object> q = ctx.getBean(Queue.class);
              q.push("a");
              MeterRegistry registry = ctx.getBean(MeterRegistry.class);
              await()
                  .atMost(Duration.ofSeconds(10))
                  .untilAsserted(
                      () ->
                          assertThat(
                                  registry
                                      .get("casq.queue.events")
                                      .tag("queue", "metered")
                                      .tag("event", "pushed")
                                      .functionCounter()
                                      .count())
                              .isEqualTo(1.0));
              assertThat(
                      registry
                          .get("casq.queue.jobs")
                          .tag("queue", "metered")
                          .tag("state", "ready")
                          .gauge()
                          .value())
                  .isEqualTo(1.0);
            });
  }

  @Test
  void remoteModeThroughABrokerRunsTheHandlersAndBindsNoMeters() {
    TwoHandlers.handled.clear();
    String store = store("remote");
    try (CasqBroker broker =
        CasqBroker.builder()
            .queue(store)
            .storeProperties(Map.of("file.fsync", "false"))
            .listen("127.0.0.1", 0)
            .build()
            .start()) {
      runner
          .withPropertyValues(
              "casq.mode=remote",
              "casq.store=" + store,
              "casq.remote.takeover=none",
              "casq.remote.retry-deadline=10s")
          .withUserConfiguration(TwoHandlers.class)
          .withConfiguration(
              AutoConfigurations.of(
                  MetricsAutoConfiguration.class,
                  CompositeMeterRegistryAutoConfiguration.class,
                  SimpleMetricsExportAutoConfiguration.class))
          .run(
              ctx -> {
                assertThat(ctx).hasNotFailed();
                @SuppressWarnings("unchecked")
                Queue<Object> q = ctx.getBean(Queue.class);
                assertThat(q).isInstanceOf(ClientQueue.class);
                q.push(new Email("bob@example.com", "Hi"), PushOptions.none().type("email"));
                q.push(new Report("q4", 3), PushOptions.none().type("report"));
                await().atMost(Duration.ofSeconds(20)).until(() -> TwoHandlers.handled.size() == 2);
                assertThat(TwoHandlers.handled)
                    .containsExactlyInAnyOrder(
                        new Email("bob@example.com", "Hi"), new Report("q4", 3));
                Health h = ctx.getBean(CasqHealthIndicator.class).health();
                assertThat(h.getStatus()).isEqualTo(Status.UP);
                assertThat(h.getDetails()).containsEntry("broker", broker.address());
                assertThat(ctx.getBean(CasqMeterBinder.class).bindsMeters()).isFalse();
                assertThat(ctx.getBean(MeterRegistry.class).find("casq.queue.events").meters())
                    .isEmpty();
              });
    }
  }

  /** A queue whose stats answer with {@code stats}; every other call is unsupported. */
  @SuppressWarnings("unchecked")
  private static Queue<Object> statsAnswering(CompletableFuture<QueueStats> stats) {
    return (Queue<Object>)
        Proxy.newProxyInstance(
            Queue.class.getClassLoader(),
            new Class<?>[] {Queue.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "statsAsync" -> stats;
                  case "close" -> null;
                  case "toString" -> "statsAnswering";
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }
}
