package dev.casq.election;

import dev.casq.core.QueueOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link BrokerLauncher} should start. Build with {@link #builder(String)}.
 *
 * @param storeUri the queue object, e.g. {@code file:///var/casq/emails.json}
 * @param storeProperties properties of the store (e.g. {@code s3.endpoint}); may be empty
 * @param queueName the name to serve the queue under; default {@link QueueNames#defaultName}
 * @param listenHost the interface to listen on; default {@code 127.0.0.1}
 * @param port the port; 0 (default) picks a free one
 * @param advertisedAddress the base URL written into the queue object; null for {@code
 *     http://<listenHost>:<port>}
 * @param token the bearer token clients must send; null for none. Use the clients' token so they
 *     can talk to the new broker.
 * @param election heartbeat interval and staleness
 * @param queueOptions options of the queue; null for defaults
 * @param shutdownTimeout how long closing the broker may take to drain and resign its queue; null
 *     for the broker's default (10s)
 */
public record LaunchSpec(
    String storeUri,
    Map<String, String> storeProperties,
    String queueName,
    String listenHost,
    int port,
    String advertisedAddress,
    String token,
    ElectionOptions election,
    QueueOptions queueOptions,
    Duration shutdownTimeout) {

  public LaunchSpec {
    Objects.requireNonNull(storeUri, "storeUri");
    storeProperties = Map.copyOf(storeProperties == null ? Map.of() : storeProperties);
    queueName =
        queueName == null ? QueueNames.defaultName(storeUri) : QueueNames.validate(queueName);
    listenHost = listenHost == null || listenHost.isBlank() ? "127.0.0.1" : listenHost;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
    }
    election = election == null ? ElectionOptions.defaults() : election;
    if (shutdownTimeout != null && (shutdownTimeout.isNegative() || shutdownTimeout.isZero())) {
      throw new IllegalArgumentException(
          "shutdown timeout must be positive, got " + shutdownTimeout);
    }
  }

  public static Builder builder(String storeUri) {
    return new Builder(storeUri);
  }

  @Override
  public String toString() {
    return "LaunchSpec["
        + queueName
        + " "
        + storeUri
        + " on "
        + listenHost
        + ":"
        + port
        + (token == null ? "" : " token=***")
        + "]";
  }

  /** Builder of a {@link LaunchSpec}. */
  public static final class Builder {
    private final String storeUri;
    private Map<String, String> storeProperties = Map.of();
    private String queueName;
    private String listenHost;
    private int port;
    private String advertisedAddress;
    private String token;
    private ElectionOptions election;
    private QueueOptions queueOptions;
    private Duration shutdownTimeout;

    private Builder(String storeUri) {
      this.storeUri = Objects.requireNonNull(storeUri, "storeUri");
    }

    public Builder storeProperties(Map<String, String> p) {
      this.storeProperties = p;
      return this;
    }

    public Builder queueName(String name) {
      this.queueName = name;
      return this;
    }

    public Builder listenHost(String host) {
      this.listenHost = host;
      return this;
    }

    public Builder port(int p) {
      this.port = p;
      return this;
    }

    public Builder advertisedAddress(String address) {
      this.advertisedAddress = address;
      return this;
    }

    public Builder token(String t) {
      this.token = t;
      return this;
    }

    public Builder election(ElectionOptions e) {
      this.election = e;
      return this;
    }

    public Builder queueOptions(QueueOptions o) {
      this.queueOptions = o;
      return this;
    }

    /**
     * How long closing the broker may take to drain and resign; null for the broker's default.
     *
     * @param d the timeout
     * @return this builder
     */
    public Builder shutdownTimeout(Duration d) {
      this.shutdownTimeout = d;
      return this;
    }

    public LaunchSpec build() {
      return new LaunchSpec(
          storeUri,
          storeProperties,
          queueName,
          listenHost,
          port,
          advertisedAddress,
          token,
          election,
          queueOptions,
          shutdownTimeout);
    }
  }
}
