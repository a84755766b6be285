package dev.casq.spring;

import dev.casq.api.Queue;
import dev.casq.micrometer.CasqMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * casq's Micrometer meters ({@link CasqMeterBinder}) when Micrometer is on the class path: Spring
 * Boot's metrics auto-configuration binds the binder to every {@link MeterRegistry}. Only an
 * embedded queue has meters in the application; a broker exports its own.
 */
@AutoConfiguration(after = CasqAutoConfiguration.class)
@ConditionalOnClass({MeterRegistry.class, CasqMetrics.class})
@ConditionalOnBean(Queue.class)
public class CasqMetricsAutoConfiguration {
  /** Used by Spring. */
  public CasqMetricsAutoConfiguration() {}

  /**
   * The binder of the queue's meters, tagged with the queue's name.
   *
   * @param queue the queue
   * @param properties {@code casq.queue-name} or {@code casq.store}
   * @return the binder
   */
  @Bean
  @ConditionalOnMissingBean(CasqMeterBinder.class)
  public CasqMeterBinder casqMeterBinder(Queue<?> queue, CasqProperties properties) {
    return new CasqMeterBinder(queue, CasqQueues.queueName(properties));
  }
}
