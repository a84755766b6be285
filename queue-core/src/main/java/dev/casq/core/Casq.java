package dev.casq.core;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.casq.core.internal.DependencyCheck;
import dev.casq.core.internal.JobQueue;

/**
 * Opens embedded queues: {@link dev.casq.api.Queue}s whose engine runs in this process. The same
 * interface reaches a queue through a broker with {@code
 * dev.casq.client.CasqClient.connect(storeUri, Type.class)} (module queue-client): a program moves
 * between the two by changing that one call (docs/api.md).
 *
 * <pre>{@code
 * try (Queue<Email> emails = Casq.open("file:///var/lib/myapp/emails.json", Email.class)) {
 *   emails.push(new Email("ada@example.com", "hello"));
 * }
 * }</pre>
 *
 * <p>The store module of the URI's scheme must be on the class path ({@code storage-localfile} for
 * {@code file://}, {@code storage-s3}, {@code storage-gcs}; {@code mem://} is built in), and
 * Jackson 2.16 or newer ({@link DependencyCheck}). casq logs through SLF4J. The README's "Getting
 * started (embedded)" has a complete program.
 */
public final class Casq {
  private Casq() {}

  /**
   * Opens (creating if absent) the queue at {@code storeUri} with default options.
   *
   * @param storeUri where the queue object lives, e.g. {@code file:///var/lib/app/emails.json}; the
   *     store module of its scheme must be on the class path
   * @param type the payload type, converted to and from JSON with Jackson
   * @param <T> the payload type
   * @return the open queue; close it to stop its engine
   * @throws IllegalStateException when the Jackson on the class path is too old ({@link
   *     DependencyCheck})
   */
  public static <T> Queue<T> open(String storeUri, Class<T> type) {
    DependencyCheck.requireSupportedLibraries();
    return open(storeUri, type, QueueOptions.defaults());
  }

  /**
   * Opens (creating if absent) the queue at {@code storeUri}.
   *
   * @param storeUri where the queue object lives
   * @param type the payload type
   * @param options the queue's options ({@link QueueOptions#builder()})
   * @param <T> the payload type
   * @return the open queue; close it to stop its engine
   * @throws IllegalStateException when the Jackson on the class path is too old
   */
  public static <T> Queue<T> open(String storeUri, Class<T> type, QueueOptions options) {
    DependencyCheck.requireSupportedLibraries();
    ObjectMapper mapper = options.objectMapper();
    JavaType javaType = mapper.getTypeFactory().constructType(type);
    return new Queue<>(JobQueue.open(storeUri, options), mapper, javaType);
  }
}
