package dev.casq.spring;

import dev.casq.client.TakeoverPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code casq.*} properties: which queue the application uses, how it is opened (embedded or
 * through a broker) and how its worker runs. {@link #validate()} checks them all at once when the
 * queue is created, so a wrong setting stops the application at startup with every problem named.
 */
@ConfigurationProperties("casq")
public class CasqProperties {
  /** How the application reaches the queue. */
  public enum Mode {
    /** The queue's engine runs in this process and commits to the store itself. */
    EMBEDDED,
    /** A broker serves the queue; this process talks to it over HTTP (queue-client). */
    REMOTE
  }

  /**
   * The URI of the queue object, e.g. file:///var/lib/myapp/jobs.json, s3://bucket/jobs.json or
   * gs://bucket/jobs.json; the store module of its scheme must be on the class path
   * (storage-localfile comes with the starter). Required, but for casq.mode=remote with
   * casq.remote.broker-url.
   */
  private String store;

  /** Embedded (the engine runs in this process) or remote (through a broker). */
  private Mode mode = Mode.EMBEDDED;

  /**
   * The payload class of the Queue bean (what push accepts and claim returns); handler beans choose
   * their own payload class per job type.
   */
  private Class<?> payloadType = Object.class;

  /**
   * The queue's name: the queue tag of its meters, and the queue asked of the broker in remote
   * mode. Defaults to the object's file name without .json (jobs.json: jobs).
   */
  private String queueName;

  /** Store properties, e.g. s3.endpoint or file.fsync (see the store's documentation). */
  private Map<String, String> storeProperties = new LinkedHashMap<>();

  private final Embedded embedded = new Embedded();
  private final Remote remote = new Remote();
  private final Worker worker = new Worker();
  private final Health health = new Health();

  public String getStore() {
    return store;
  }

  public void setStore(String store) {
    this.store = store;
  }

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public Class<?> getPayloadType() {
    return payloadType;
  }

  public void setPayloadType(Class<?> payloadType) {
    this.payloadType = payloadType;
  }

  public String getQueueName() {
    return queueName;
  }

  public void setQueueName(String queueName) {
    this.queueName = queueName;
  }

  public Map<String, String> getStoreProperties() {
    return storeProperties;
  }

  public void setStoreProperties(Map<String, String> storeProperties) {
    this.storeProperties = storeProperties;
  }

  public Embedded getEmbedded() {
    return embedded;
  }

  public Remote getRemote() {
    return remote;
  }

  public Worker getWorker() {
    return worker;
  }

  public Health getHealth() {
    return health;
  }

  /**
   * Checks the properties that open the queue and run the worker.
   *
   * @throws InvalidCasqPropertiesException naming every property that is wrong, and why
   */
  public void validate() {
    List<String> problems = new ArrayList<>();
    boolean hasStore = store != null && !store.isBlank();
    if (mode == null) {
      problems.add("casq.mode must be embedded or remote");
    } else if (mode == Mode.EMBEDDED) {
      if (!hasStore) {
        problems.add(
            "casq.store is required: the URI of the queue object, e.g."
                + " file:///var/lib/myapp/jobs.json");
      }
      List<String> remoteOnly = remote.setProperties();
      if (!remoteOnly.isEmpty()) {
        problems.add(
            String.join(", ", remoteOnly)
                + " apply only to casq.mode=remote"
                + " (casq.mode is embedded)");
      }
    } else {
      boolean hasUrl = remote.brokerUrl != null && !remote.brokerUrl.isBlank();
      if (hasStore == hasUrl) {
        problems.add(
            hasStore
                ? "set casq.store or casq.remote.broker-url, not both: the client finds the broker"
                    + " in the queue object, or is given its URL"
                : "casq.store is required: the URI of the queue object, e.g."
                    + " file:///var/lib/myapp/jobs.json (or set casq.remote.broker-url and"
                    + " casq.queue-name)");
      }
      if (hasUrl && (queueName == null || queueName.isBlank())) {
        problems.add(
            "casq.queue-name is required with casq.remote.broker-url (a broker may"
                + " serve several queues)");
      }
      if (!embedded.setProperties().isEmpty()) {
        problems.add(
            String.join(", ", embedded.setProperties())
                + " apply only to casq.mode=embedded (casq.mode is remote)");
      }
      positive(problems, "casq.remote.connect-timeout", remote.connectTimeout);
      positive(problems, "casq.remote.request-timeout", remote.requestTimeout);
      positive(problems, "casq.remote.retry-deadline", remote.retryDeadline);
      positive(problems, "casq.remote.stale-after", remote.staleAfter);
    }
    if (payloadType == null) {
      problems.add("casq.payload-type must name a class, e.g. java.lang.Object");
    }
    positive(problems, "casq.embedded.default-lease", embedded.defaultLease);
    positive(problems, "casq.embedded.max-lease", embedded.maxLease);
    if (embedded.maxAttempts != null && embedded.maxAttempts < 1) {
      problems.add("casq.embedded.max-attempts must be at least 1, got " + embedded.maxAttempts);
    }
    problems.addAll(workerProblems());
    required(problems, "casq.health.timeout", health.timeout);
    if (health.timeout != null && health.timeout.isZero()) {
      problems.add("casq.health.timeout must be positive, got " + health.timeout);
    }
    if (!problems.isEmpty()) {
      throw new InvalidCasqPropertiesException(problems);
    }
  }

  /**
   * Checks the {@code casq.worker.*} properties alone (for an application that defines its own
   * queue bean).
   *
   * @throws InvalidCasqPropertiesException naming every worker property that is wrong
   */
  public void validateWorker() {
    List<String> problems = workerProblems();
    if (!problems.isEmpty()) {
      throw new InvalidCasqPropertiesException(problems);
    }
  }

  private List<String> workerProblems() {
    List<String> problems = new ArrayList<>();
    if (worker.concurrency < 1 || worker.concurrency > 10_000) {
      problems.add("casq.worker.concurrency must be from 1 to 10000, got " + worker.concurrency);
    }
    if (worker.id != null && worker.id.isBlank()) {
      problems.add("casq.worker.id must not be blank (leave it out for host-pid)");
    }
    positive(problems, "casq.worker.lease", worker.lease);
    positive(problems, "casq.worker.heartbeat-interval", worker.heartbeatInterval);
    required(problems, "casq.worker.poll-wait", worker.pollWait);
    required(problems, "casq.worker.shutdown-grace", worker.shutdownGrace);
    return problems;
  }

  private static void positive(List<String> problems, String name, Duration d) {
    if (d != null && (d.isZero() || d.isNegative())) {
      problems.add(name + " must be a positive duration, got " + d);
    }
  }

  private static void required(List<String> problems, String name, Duration d) {
    if (d == null) {
      problems.add(name + " is required");
    } else if (d.isNegative()) {
      problems.add(name + " must not be negative, got " + d);
    }
  }

  /** Settings of an embedded queue ({@code dev.casq.core.QueueOptions}); unset: casq's default. */
  public static class Embedded {
    /** The lease a claim gets when it asks for none (queue default: 30s). */
    private Duration defaultLease;

    /** The longest lease a claim or heartbeat may ask for. */
    private Duration maxLease;

    /** Attempts a job gets when pushed without its own (queue default: 5). */
    private Integer maxAttempts;

    public Duration getDefaultLease() {
      return defaultLease;
    }

    public void setDefaultLease(Duration defaultLease) {
      this.defaultLease = defaultLease;
    }

    public Duration getMaxLease() {
      return maxLease;
    }

    public void setMaxLease(Duration maxLease) {
      this.maxLease = maxLease;
    }

    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    List<String> setProperties() {
      List<String> set = new ArrayList<>();
      if (defaultLease != null) {
        set.add("casq.embedded.default-lease");
      }
      if (maxLease != null) {
        set.add("casq.embedded.max-lease");
      }
      if (maxAttempts != null) {
        set.add("casq.embedded.max-attempts");
      }
      return set;
    }
  }

  /**
   * Settings of the broker's client (queue-client, docs/client.md); unset: the client's default.
   */
  public static class Remote {
    /** The broker's URL, instead of finding it in the queue object (then no takeover). */
    private String brokerUrl;

    /** Bearer token sent to the broker (never logged). */
    private String token;

    /**
     * What the client does when the broker recorded in the queue object is dead: in-process (start
     * one here; needs queue-broker on the class path), wait (for a standby), none.
     */
    private TakeoverPolicy takeover;

    /** Time to open a TCP connection to the broker (client default: 2s). */
    private Duration connectTimeout;

    /** Time for one attempt of a request (client default: 10s). */
    private Duration requestTimeout;

    /** How long a call keeps retrying before it fails (client default: 30s). */
    private Duration retryDeadline;

    /** Heartbeat age after which a silent broker that declares none counts as dead. */
    private Duration staleAfter;

    /** The interface a broker started by this client (takeover in-process) listens on. */
    private String inProcessHost;

    public String getBrokerUrl() {
      return brokerUrl;
    }

    public void setBrokerUrl(String brokerUrl) {
      this.brokerUrl = brokerUrl;
    }

    public String getToken() {
      return token;
    }

    public void setToken(String token) {
      this.token = token;
    }

    public TakeoverPolicy getTakeover() {
      return takeover;
    }

    public void setTakeover(TakeoverPolicy takeover) {
      this.takeover = takeover;
    }

    public Duration getConnectTimeout() {
      return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
    }

    public Duration getRequestTimeout() {
      return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
    }

    public Duration getRetryDeadline() {
      return retryDeadline;
    }

    public void setRetryDeadline(Duration retryDeadline) {
      this.retryDeadline = retryDeadline;
    }

    public Duration getStaleAfter() {
      return staleAfter;
    }

    public void setStaleAfter(Duration staleAfter) {
      this.staleAfter = staleAfter;
    }

    public String getInProcessHost() {
      return inProcessHost;
    }

    public void setInProcessHost(String inProcessHost) {
      this.inProcessHost = inProcessHost;
    }

    List<String> setProperties() {
      List<String> set = new ArrayList<>();
      add(set, "casq.remote.broker-url", brokerUrl);
      add(set, "casq.remote.token", token);
      add(set, "casq.remote.takeover", takeover);
      add(set, "casq.remote.connect-timeout", connectTimeout);
      add(set, "casq.remote.request-timeout", requestTimeout);
      add(set, "casq.remote.retry-deadline", retryDeadline);
      add(set, "casq.remote.stale-after", staleAfter);
      add(set, "casq.remote.in-process-host", inProcessHost);
      return set;
    }

    private static void add(List<String> set, String name, Object value) {
      if (value != null) {
        set.add(name);
      }
    }
  }

  /** The worker that runs the application's {@link CasqHandler} beans. */
  public static class Worker {
    /** Whether handler beans are run; false keeps the queue for pushing only. */
    private boolean enabled = true;

    /** The worker id recorded in each lease (default: host name and process id). */
    private String id;

    /** Jobs run at once (1 to 10000). */
    private int concurrency = 4;

    /** The lease each claim asks for (default: the queue's default lease). */
    private Duration lease;

    /** How often a running job's lease is extended (default: a third of the lease). */
    private Duration heartbeatInterval;

    /** How long one claim waits for a job (long poll). */
    private Duration pollWait = Duration.ofSeconds(1);

    /**
     * At shutdown, how long running handlers get to finish before they are interrupted; a job whose
     * handler still runs after that is not released (its lease expires).
     */
    private Duration shutdownGrace = Duration.ofSeconds(30);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getId() {
      return id;
    }

    public void setId(String id) {
      this.id = id;
    }

    public int getConcurrency() {
      return concurrency;
    }

    public void setConcurrency(int concurrency) {
      this.concurrency = concurrency;
    }

    public Duration getLease() {
      return lease;
    }

    public void setLease(Duration lease) {
      this.lease = lease;
    }

    public Duration getHeartbeatInterval() {
      return heartbeatInterval;
    }

    public void setHeartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
    }

    public Duration getPollWait() {
      return pollWait;
    }

    public void setPollWait(Duration pollWait) {
      this.pollWait = pollWait;
    }

    public Duration getShutdownGrace() {
      return shutdownGrace;
    }

    public void setShutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
    }
  }

  /** The health indicator ({@code casq}), with the actuator. */
  public static class Health {
    /** How long the queue's stats get to answer before the queue is reported DOWN. */
    private Duration timeout = Duration.ofSeconds(2);

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }
}
