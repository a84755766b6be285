package dev.casq.spring;

import dev.casq.api.Queue;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code casq} health indicator ({@link CasqHealthIndicator}), when the actuator is on the
 * class path and {@code management.health.casq.enabled} is not false.
 */
@AutoConfiguration(after = CasqAutoConfiguration.class)
@ConditionalOnClass({
  org.springframework.boot.actuate.health.HealthIndicator.class,
  ConditionalOnEnabledHealthIndicator.class
})
@ConditionalOnBean(Queue.class)
@ConditionalOnEnabledHealthIndicator("casq")
public class CasqHealthAutoConfiguration {
  /** Used by Spring. */
  public CasqHealthAutoConfiguration() {}

  /**
   * The indicator, named {@code casq} after its bean.
   *
   * @param queue the queue
   * @param properties {@code casq.health.timeout}
   * @return the indicator
   */
  @Bean(name = "casqHealthIndicator")
  @ConditionalOnMissingBean(name = "casqHealthIndicator")
  public CasqHealthIndicator casqHealthIndicator(Queue<?> queue, CasqProperties properties) {
    return new CasqHealthIndicator(queue, properties.getHealth().getTimeout());
  }
}
