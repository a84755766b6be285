package dev.casq.spring;

import dev.casq.api.JobHandlers;
import dev.casq.api.Queue;
import dev.casq.api.WorkerOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The queue and its worker from the {@code casq.*} properties ({@link CasqProperties}):
 *
 * <ul>
 *   <li>a {@link Queue} bean, embedded or through a broker ({@code casq.mode}), closed with the
 *       context;
 *   <li>when the application has {@link CasqHandler} beans and {@code casq.worker.enabled} is not
 *       false, a {@link JobHandlers} registry of them (by job type) and a {@link
 *       CasqWorkerLifecycle} that runs them from context start to close.
 * </ul>
 *
 * <p>Each bean is created only when the application defines none of its type.
 */
@AutoConfiguration
@EnableConfigurationProperties(CasqProperties.class)
public class CasqAutoConfiguration {
  /** Used by Spring. */
  public CasqAutoConfiguration() {}

  /**
   * The queue: validated properties, opened at startup, closed with the context.
   *
   * @param properties the {@code casq.*} properties
   * @return the open queue
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(Queue.class)
  public Queue<?> casqQueue(CasqProperties properties) {
    return CasqQueues.open(properties);
  }

  /**
   * The application's handler beans by job type.
   *
   * @param handlers every {@link CasqHandler} bean, in order
   * @return the registry
   * @throws IllegalStateException when two beans handle the same type
   */
  @Bean
  @ConditionalOnBean(CasqHandler.class)
  @ConditionalOnMissingBean(JobHandlers.class)
  public JobHandlers casqJobHandlers(ObjectProvider<CasqHandler<?>> handlers) {
    List<CasqHandler<?>> all = handlers.orderedStream().collect(Collectors.toList());
    JobHandlers registry = JobHandlers.create();
    for (CasqHandler<?> h : all) {
      if (registry.forType(h.type()).isPresent()) {
        throw new IllegalStateException(
            "two CasqHandler beans handle job type '"
                + h.type()
                + "': "
                + all.stream()
                    .filter(o -> o.type().equals(h.type()))
                    .map(Object::toString)
                    .collect(Collectors.joining(", ")));
      }
      registry = register(registry, h);
    }
    return registry;
  }

  private static <T> JobHandlers register(JobHandlers registry, CasqHandler<T> h) {
    return registry.on(h.type(), h.payloadType(), h);
  }

  /**
   * The worker that runs the handlers, started and stopped with the context.
   *
   * @param queue the queue
   * @param handlers the handlers by type
   * @param properties the {@code casq.worker.*} properties
   * @return the worker's lifecycle
   */
  @Bean
  @ConditionalOnBean(JobHandlers.class)
  @ConditionalOnMissingBean(CasqWorkerLifecycle.class)
  @ConditionalOnProperty(prefix = "casq.worker", name = "enabled", matchIfMissing = true)
  public CasqWorkerLifecycle casqWorker(
      Queue<?> queue, JobHandlers handlers, CasqProperties properties) {
    properties.validateWorker();
    return new CasqWorkerLifecycle(queue, handlers, workerOptions(properties.getWorker()));
  }

  static WorkerOptions workerOptions(CasqProperties.Worker w) {
    String id = w.getId() != null ? w.getId().trim() : defaultWorkerId();
    return WorkerOptions.of(id, w.getConcurrency())
        .withLease(w.getLease())
        .withHeartbeatInterval(w.getHeartbeatInterval())
        .withPollWait(w.getPollWait())
        .withShutdownGrace(w.getShutdownGrace());
  }

  private static String defaultWorkerId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }
}
