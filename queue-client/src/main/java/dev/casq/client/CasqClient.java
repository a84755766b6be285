package dev.casq.client;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.casq.api.InvalidRequestException;
import dev.casq.core.internal.DependencyCheck;
import dev.casq.election.ElectionOptions;
import dev.casq.election.QueueNames;
import dev.casq.storage.StoreProperties;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A client of a casq broker over HTTP. Configure it with the queue's store URI (the client reads
 * the queue object to find the broker, follows it when it changes, and takes over a dead one as the
 * {@link TakeoverPolicy} says) or with an explicit broker URL.
 *
 * <pre>{@code
 * try (Queue<Email> emails = CasqClient.connect("s3://bucket/queues/emails.json", Email.class)) {
 *   emails.push(new Email("ada@example.com", "hello"));
 * }
 * }</pre>
 *
 * <p>The queue is a {@link dev.casq.api.Queue}, as the embedded one ({@code
 * dev.casq.core.Casq.open}) is: a program moves between the two by changing that line. Closing the
 * queue closes its client.
 *
 * <p>Thread-safe; share one client per queue in a process. Settings and their defaults are listed
 * in docs/client.md.
 */
public final class CasqClient implements AutoCloseable {
  private final ClientConfig config;
  private final BrokerConnection connection;

  private CasqClient(ClientConfig config, BrokerLocator locator) {
    this.config = config;
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            .version(config.httpVersion())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.connection = new BrokerConnection(config, http, locator);
  }

  /**
   * Opens the queue stored at {@code storeUri} through its broker, with the client's defaults: the
   * remote counterpart of {@code dev.casq.core.Casq.open(storeUri, type)}. Closing the queue closes
   * the client. For other settings use {@link #builder()} and {@link #queue(Class)}.
   *
   * @param storeUri where the queue object lives; the store module of its scheme must be on the
   *     class path
   * @param type the payload type, converted to and from JSON with Jackson
   * @param <T> the payload type
   * @return the queue
   * @throws InvalidRequestException when the URI is empty
   * @throws IllegalStateException when the Jackson on the class path is too old
   */
  public static <T> ClientQueue<T> connect(String storeUri, Class<T> type) {
    return builder().storeUri(storeUri).build().queue(type);
  }

  /**
   * A builder with the defaults of docs/client.md; give a store URI or a broker URL.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The typed queue; payloads are converted with the client's Jackson mapper. */
  public <T> ClientQueue<T> queue(Class<T> type) {
    return queue(config.objectMapper().getTypeFactory().constructType(type));
  }

  /** The typed queue for a generic payload type. */
  public <T> ClientQueue<T> queue(JavaType type) {
    return new ClientQueue<>(this, config, connection, Objects.requireNonNull(type, "type"));
  }

  /** The name of the queue on the broker. */
  public String queueName() {
    return config.queueName();
  }

  /** The broker the client talks to now (base URL), once one is known. */
  public Optional<String> currentBroker() {
    return connection.currentEndpoint().map(e -> e.base().toString());
  }

  /** The address of the broker this client started in its own process, if it runs one. */
  public Optional<String> inProcessBroker() {
    return connection.localBrokerAddress();
  }

  BrokerConnection connection() {
    return connection;
  }

  /** Stops the client (and the broker it started in this process, if any). */
  @Override
  public void close() {
    connection.close();
  }

  /** Builder of a {@link CasqClient}; every setting is validated by {@link #build()}. */
  public static final class Builder {
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(1);

    private String storeUri;
    private final Map<String, String> storeProperties = new HashMap<>();
    private String brokerUrl;
    private String queueName;
    private String token;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private RetryPolicy retry = RetryPolicy.defaults();
    private TakeoverPolicy takeover;
    private Duration staleAfter = ElectionOptions.DEFAULT_STALE_AFTER;
    private String inProcessHost = "127.0.0.1";
    private Duration inProcessShutdownTimeout;
    private Duration healthTimeout = DEFAULT_HEALTH_TIMEOUT;
    private HttpClient.Version httpVersion = HttpClient.Version.HTTP_1_1;
    private ObjectMapper objectMapper;
    private Clock clock = Clock.systemUTC();
    private BrokerLocator locator;

    private Builder() {}

    /**
     * The queue's store URI, e.g. {@code file:///var/casq/emails.json}; the broker is found there.
     */
    public Builder storeUri(String uri) {
      this.storeUri = uri;
      return this;
    }

    /** A store property, e.g. {@code s3.endpoint}; also used by a broker started in-process. */
    public Builder storeProperty(String key, String value) {
      this.storeProperties.put(key, value);
      return this;
    }

    /**
     * Store settings, e.g. {@code s3.endpoint}, added to those given before.
     *
     * @param props store keys and values
     * @return this builder
     */
    public Builder storeProperties(Map<String, String> props) {
      this.storeProperties.putAll(props);
      return this;
    }

    /** An explicit broker, e.g. {@code http://10.0.0.5:8080}, instead of a store URI. */
    public Builder brokerUrl(String url) {
      this.brokerUrl = url;
      return this;
    }

    /** The queue name; default: the store object's file name without {@code .json}. */
    public Builder queueName(String name) {
      this.queueName = name;
      return this;
    }

    /** The bearer token the broker requires, if any. Never logged. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** Time to open a connection to the broker. Default 2s. */
    public Builder connectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    /** Time for one attempt of a request (a long-poll claim adds its wait). Default 10s. */
    public Builder requestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    /** Retry deadline and backoff. Default: {@link RetryPolicy#defaults()}. */
    public Builder retry(RetryPolicy policy) {
      this.retry = policy;
      return this;
    }

    /** What to do when the broker is dead. Default IN_PROCESS with a store URI. */
    public Builder takeover(TakeoverPolicy policy) {
      this.takeover = policy;
      return this;
    }

    /**
     * How old the broker's heartbeat must be before the broker counts as dead (together with not
     * answering). Use the brokers' setting. Default 10s.
     */
    public Builder staleAfter(Duration d) {
      this.staleAfter = d;
      return this;
    }

    /**
     * The interface a broker started in this process listens on (port: a free one); its address
     * goes into the queue object, so other clients must be able to reach it. Default 127.0.0.1.
     */
    public Builder inProcessHost(String host) {
      this.inProcessHost = host;
      return this;
    }

    /**
     * How long a broker started in this process (takeover policy {@code in-process}) gets, when the
     * client is closed, to finish its write in flight, answer its callers and resign the queue;
     * past it the broker stops anyway and logs that it did not finish. Default: the broker's own
     * (10s).
     */
    public Builder inProcessShutdownTimeout(Duration d) {
      this.inProcessShutdownTimeout = d;
      return this;
    }

    /** Time the broker's /health gets to answer before a takeover. Default 1s. */
    public Builder healthTimeout(Duration d) {
      this.healthTimeout = d;
      return this;
    }

    /** HTTP version to speak. Default HTTP/1.1. */
    public Builder httpVersion(HttpClient.Version v) {
      this.httpVersion = v;
      return this;
    }

    /** The Jackson mapper for payloads; default: one with Java time support. */
    public Builder objectMapper(ObjectMapper m) {
      this.objectMapper = m;
      return this;
    }

    /** The clock that judges heartbeat staleness. Default UTC system clock. */
    public Builder clock(Clock c) {
      this.clock = c;
      return this;
    }

    /**
     * Applies settings from {@code props}, each falling back to its environment variable: {@code
     * client.store} ({@code CASQ_CLIENT_STORE}), {@code client.broker-url}, {@code client.queue},
     * {@code client.token}, {@code client.connect-timeout}, {@code client.request-timeout}, {@code
     * client.retry-deadline}, {@code client.takeover}, {@code client.stale-after}, {@code
     * client.in-process-host}. Keys that are absent leave the current setting alone.
     */
    public Builder config(Map<String, String> props) {
      StoreProperties p = StoreProperties.of(props);
      p.get("client.store").ifPresent(this::storeUri);
      p.get("client.broker-url").ifPresent(this::brokerUrl);
      p.get("client.queue").ifPresent(this::queueName);
      p.get("client.token").ifPresent(this::token);
      p.get("client.in-process-host").ifPresent(this::inProcessHost);
      if (p.get("client.in-process-shutdown-timeout").isPresent()) {
        inProcessShutdownTimeout(
            p.getDuration("client.in-process-shutdown-timeout", inProcessShutdownTimeout));
      }
      if (p.get("client.connect-timeout").isPresent()) {
        connectTimeout(p.getDuration("client.connect-timeout", connectTimeout));
      }
      if (p.get("client.request-timeout").isPresent()) {
        requestTimeout(p.getDuration("client.request-timeout", requestTimeout));
      }
      if (p.get("client.retry-deadline").isPresent()) {
        retry(retry.withDeadline(p.getDuration("client.retry-deadline", retry.deadline())));
      }
      if (p.get("client.stale-after").isPresent()) {
        staleAfter(p.getDuration("client.stale-after", staleAfter));
      }
      Optional<String> t = p.get("client.takeover");
      if (t.isPresent()) {
        takeover(parseTakeover(t.get()));
      }
      return this;
    }

    /** Replaces discovery and takeover (tests). */
    Builder locator(BrokerLocator l) {
      this.locator = l;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the client
     * @throws InvalidRequestException naming the first invalid setting
     * @throws dev.casq.storage.StoreConfigurationException if the store URI cannot be opened
     * @throws IllegalStateException when the Jackson on the class path is too old ({@link
     *     DependencyCheck})
     */
    public CasqClient build() {
      DependencyCheck.requireSupportedLibraries();
      boolean store = storeUri != null && !storeUri.isBlank();
      boolean url = brokerUrl != null && !brokerUrl.isBlank();
      if (store == url) {
        throw new InvalidRequestException(
            store
                ? "give either a store URI or a broker URL, not both"
                : "give a store URI (e.g. file:///tmp/emails.json) or a broker URL"
                    + " (e.g. http://127.0.0.1:8080)");
      }
      String name;
      try {
        name =
            queueName != null
                ? QueueNames.validate(queueName)
                : store ? QueueNames.defaultName(storeUri) : null;
        if (url) {
          Endpoint.baseUri(brokerUrl);
        }
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(e.getMessage());
      }
      if (name == null) {
        throw new InvalidRequestException(
            "a queue name is required with a broker URL (a broker may serve several queues)");
      }
      positive(connectTimeout, "connect timeout");
      positive(requestTimeout, "request timeout");
      positive(staleAfter, "stale-after");
      if (staleAfter.compareTo(
              ElectionOptions.MIN_HEARTBEAT_INTERVAL.multipliedBy(
                  ElectionOptions.MIN_HEARTBEATS_PER_STALE))
          < 0) {
        throw new InvalidRequestException(
            "stale-after must be at least "
                + ElectionOptions.MIN_HEARTBEAT_INTERVAL
                    .multipliedBy(ElectionOptions.MIN_HEARTBEATS_PER_STALE)
                    .toMillis()
                + "ms, got "
                + staleAfter);
      }
      if (inProcessHost == null || inProcessHost.isBlank()) {
        throw new InvalidRequestException("the in-process broker host must not be empty");
      }
      positive(healthTimeout, "health timeout");
      if (inProcessShutdownTimeout != null) {
        positive(inProcessShutdownTimeout, "in-process broker shutdown timeout");
      }
      Objects.requireNonNull(retry, "retry");
      Objects.requireNonNull(httpVersion, "httpVersion");
      Objects.requireNonNull(clock, "clock");
      if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
        throw new InvalidRequestException(
            "the token must be printable ASCII without spaces (it goes in an HTTP header)");
      }
      TakeoverPolicy policy =
          takeover != null ? takeover : store ? TakeoverPolicy.IN_PROCESS : TakeoverPolicy.NONE;
      ObjectMapper mapper =
          objectMapper != null
              ? objectMapper
              : new ObjectMapper().registerModule(new JavaTimeModule());
      ClientConfig config =
          new ClientConfig(
              store ? storeUri.trim() : null,
              Map.copyOf(storeProperties),
              url ? brokerUrl.trim() : null,
              name,
              token,
              connectTimeout,
              requestTimeout,
              retry,
              policy,
              staleAfter,
              inProcessHost.trim(),
              inProcessShutdownTimeout,
              healthTimeout,
              httpVersion,
              mapper,
              clock);
      BrokerLocator l = locator;
      if (l == null && store) {
        l = StoreBrokerLocator.open(config);
      }
      return new CasqClient(config, l);
    }

    private static void positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new InvalidRequestException(what + " must be a positive duration, got " + d);
      }
    }

    static TakeoverPolicy parseTakeover(String s) {
      String v = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (TakeoverPolicy p : TakeoverPolicy.values()) {
        if (p.name().equals(v)) {
          return p;
        }
      }
      throw new InvalidRequestException(
          "invalid takeover policy '" + s + "': expected in-process, wait or none");
    }
  }
}
