package dev.casq.spring;

import dev.casq.api.Queue;
import dev.casq.client.CasqClient;
import dev.casq.core.Casq;
import dev.casq.core.QueueOptions;
import dev.casq.election.QueueNames;

/** Opens the queue that {@link CasqProperties} describe: embedded, or through a broker. */
public final class CasqQueues {
  private CasqQueues() {}

  /**
   * Opens the queue (creating the queue object when it is absent, for an embedded queue).
   *
   * @param p the validated properties
   * @return the open queue; close it to stop its engine or client
   * @throws InvalidCasqPropertiesException when the properties are wrong
   * @throws dev.casq.api.CasqException when the store or the broker refuses
   */
  public static Queue<?> open(CasqProperties p) {
    p.validate();
    return p.getMode() == CasqProperties.Mode.REMOTE ? remote(p) : embedded(p);
  }

  /**
   * The queue's name: {@code casq.queue-name}, or the object's file name without {@code .json}.
   *
   * @param p the properties
   * @return the name
   */
  public static String queueName(CasqProperties p) {
    if (p.getQueueName() != null && !p.getQueueName().isBlank()) {
      return p.getQueueName().trim();
    }
    try {
      return QueueNames.defaultName(p.getStore());
    } catch (IllegalArgumentException e) {
      return "default";
    }
  }

  private static Queue<?> embedded(CasqProperties p) {
    QueueOptions.Builder b = QueueOptions.builder().storeProperties(p.getStoreProperties());
    CasqProperties.Embedded e = p.getEmbedded();
    if (e.getDefaultLease() != null) {
      b.defaultLease(e.getDefaultLease());
    }
    if (e.getMaxLease() != null) {
      b.maxLease(e.getMaxLease());
    }
    if (e.getMaxAttempts() != null) {
      b.maxAttempts(e.getMaxAttempts());
    }
    return Casq.open(p.getStore().trim(), p.getPayloadType(), b.build());
  }

  private static Queue<?> remote(CasqProperties p) {
    CasqProperties.Remote r = p.getRemote();
    CasqClient.Builder b = CasqClient.builder();
    if (p.getStore() != null && !p.getStore().isBlank()) {
      b.storeUri(p.getStore().trim()).storeProperties(p.getStoreProperties());
    } else {
      b.brokerUrl(r.getBrokerUrl().trim());
    }
    if (p.getQueueName() != null && !p.getQueueName().isBlank()) {
      b.queueName(p.getQueueName().trim());
    }
    if (r.getToken() != null) {
      b.token(r.getToken());
    }
    if (r.getTakeover() != null) {
      b.takeover(r.getTakeover());
    }
    if (r.getConnectTimeout() != null) {
      b.connectTimeout(r.getConnectTimeout());
    }
    if (r.getRequestTimeout() != null) {
      b.requestTimeout(r.getRequestTimeout());
    }
    if (r.getRetryDeadline() != null) {
      b.retry(dev.casq.client.RetryPolicy.defaults().withDeadline(r.getRetryDeadline()));
    }
    if (r.getStaleAfter() != null) {
      b.staleAfter(r.getStaleAfter());
    }
    if (r.getInProcessHost() != null) {
      b.inProcessHost(r.getInProcessHost());
    }
    return b.build().queue(p.getPayloadType());
  }
}
