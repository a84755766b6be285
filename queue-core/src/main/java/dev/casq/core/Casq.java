package dev.casq.core;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Entry point of the embedded API.
 *
 * <pre>{@code
 * Queue<Email> q = Casq.open("file:///tmp/emails.json", Email.class);
 * q.push(new Email("ada@example.com", "hello"));
 * }</pre>
 */
public final class Casq {
  private Casq() {}

  /** Opens (creating if absent) the queue at {@code storeUri} with default options. */
  public static <T> Queue<T> open(String storeUri, Class<T> type) {
    return open(storeUri, type, QueueOptions.defaults());
  }

  public static <T> Queue<T> open(String storeUri, Class<T> type, QueueOptions options) {
    ObjectMapper mapper = options.objectMapper();
    JavaType javaType = mapper.getTypeFactory().constructType(type);
    return new Queue<>(JobQueue.open(storeUri, options), mapper, javaType);
  }

  /** Opens the untyped, asynchronous queue. */
  public static JobQueue openJobs(String storeUri, QueueOptions options) {
    return JobQueue.open(storeUri, options);
  }
}
