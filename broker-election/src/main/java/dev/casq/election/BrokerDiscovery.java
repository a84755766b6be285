package dev.casq.election;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.casq.api.CorruptStateException;
import dev.casq.core.internal.BrokerRecord;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import dev.casq.storage.VersionedBytes;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the broker of a queue by reading the queue object through the storage SPI. Only the {@code
 * format} and {@code broker} fields are parsed, so discovery stays cheap however many jobs the
 * object holds.
 */
public final class BrokerDiscovery implements AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();

  private final StoreLocation location;
  private final boolean ownsLocation;

  private BrokerDiscovery(StoreLocation location, boolean ownsLocation) {
    this.location = Objects.requireNonNull(location, "location");
    this.ownsLocation = ownsLocation;
  }

  /**
   * Opens the store of {@code storeUri} (e.g. {@code s3://bucket/emails.json}); {@link #close()}
   * closes it.
   *
   * @throws dev.casq.storage.StoreConfigurationException if the URI or a property is invalid
   */
  public static BrokerDiscovery open(String storeUri, Map<String, String> storeProperties) {
    return new BrokerDiscovery(Stores.open(storeUri, storeProperties), true);
  }

  /** Discovery on an opened location that the caller keeps owning. */
  public static BrokerDiscovery on(StoreLocation location) {
    return new BrokerDiscovery(location, false);
  }

  /**
   * Reads the queue object now and returns its broker record; empty when the object does not exist
   * or names no broker.
   *
   * @throws dev.casq.storage.StorageException if the store cannot be read
   * @throws CorruptStateException if the object is not a casq queue
   */
  public Optional<BrokerRecord> current() {
    Optional<VersionedBytes> object = location.store().read(location.key());
    return object.isEmpty() ? Optional.empty() : parse(object.get().data());
  }

  /**
   * True when the record's heartbeat is stale at {@code now}: by the staleness its broker declared
   * (bounded), or {@code staleAfter} when it declared none (see {@link Staleness}).
   */
  public static boolean isStale(BrokerRecord record, Instant now, Duration staleAfter) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(staleAfter, "staleAfter");
    return Staleness.isStale(record, now, staleAfter);
  }

  /**
   * The broker record of a queue object's bytes; empty when it names none.
   *
   * @throws CorruptStateException if the bytes are not a casq queue object
   */
  public static Optional<BrokerRecord> parse(byte[] queueObject) {
    try (JsonParser p = JSON.createParser(queueObject)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new CorruptStateException("the queue object is not a JSON object");
      }
      String format = null;
      BrokerRecord broker = null;
      boolean sawBroker = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("format".equals(field)) {
          if (value != JsonToken.VALUE_STRING) {
            throw new CorruptStateException("\"format\" of the queue object is not a string");
          }
          format = p.getText();
          checkFormat(format);
        } else if ("broker".equals(field)) {
          sawBroker = true;
          if (value == JsonToken.START_OBJECT) {
            broker = readBroker(p);
          } else if (value != JsonToken.VALUE_NULL) {
            throw new CorruptStateException("\"broker\" of the queue object is not an object");
          }
        } else {
          p.skipChildren();
        }
        if (format != null && sawBroker) {
          break; // the jobs that follow do not matter here
        }
      }
      if (format == null) {
        throw new CorruptStateException(
            "the object is JSON but not a casq queue (no \"format\" field)");
      }
      return Optional.ofNullable(broker);
    } catch (IOException e) {
      throw new CorruptStateException("the queue object is not valid JSON: " + e.getMessage(), e);
    }
  }

  private static void checkFormat(String format) {
    if (!QueueState.readable(format)) {
      throw new CorruptStateException(
          "unsupported queue format '"
              + format
              + "' (this casq reads "
              + QueueState.FORMAT
              + ", "
              + QueueState.FORMAT_SEGMENTED
              + ", "
              + QueueState.FORMAT_LEASES_HELD
              + " and "
              + QueueState.FORMAT_SCHEDULES
              + ")");
    }
  }

  private static BrokerRecord readBroker(JsonParser p) throws IOException {
    String id = null;
    String address = null;
    Long epoch = null;
    String heartbeatAt = null;
    Duration heartbeatInterval = null;
    Duration staleAfter = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "id" -> id = text(p, value, field);
        case "address" -> address = text(p, value, field);
        case "heartbeatAt" -> heartbeatAt = text(p, value, field);
        case StateCodec.HEARTBEAT_INTERVAL_MS -> heartbeatInterval = millis(p, value);
        case StateCodec.STALE_AFTER_MS -> staleAfter = millis(p, value);
        case "epoch" -> {
          if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new CorruptStateException("broker.epoch of the queue object is not an integer");
          }
          epoch = p.getLongValue();
        }
        default -> p.skipChildren();
      }
    }
    if (id == null || address == null || epoch == null || heartbeatAt == null) {
      throw new CorruptStateException(
          "the broker record of the queue object lacks id, address, epoch or heartbeatAt");
    }
    try {
      return new BrokerRecord(
          id, address, epoch, Instant.parse(heartbeatAt), heartbeatInterval, staleAfter);
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw new CorruptStateException(
          "the broker record of the queue object is invalid: " + e.getMessage(), e);
    }
  }

  /** A declared duration in milliseconds; null when it is not an integer (the default applies). */
  private static Duration millis(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NUMBER_INT
        && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return Duration.ofMillis(p.getLongValue());
    }
    p.skipChildren();
    return null;
  }

  private static String text(JsonParser p, JsonToken value, String field) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw new CorruptStateException("broker." + field + " of the queue object is not a string");
    }
    return p.getText();
  }

  /** The store and key read, for messages (no secrets). */
  public String describe() {
    return location.toString();
  }

  @Override
  public void close() {
    if (ownsLocation) {
      location.close();
    }
  }
}
