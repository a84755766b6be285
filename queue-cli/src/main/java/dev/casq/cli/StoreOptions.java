package dev.casq.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --store} and {@code --store-property}, shared by the commands that read a queue object.
 */
final class StoreOptions {
  @Option(
      names = "--store",
      paramLabel = "URI",
      description =
          "The queue object, e.g. file:///var/casq/emails.json or "
              + "s3://bucket/queues/emails.json. Default: $CASQ_STORE.")
  String store;

  @Option(
      names = "--store-property",
      paramLabel = "KEY=VALUE",
      description =
          "A store property, e.g. s3.endpoint=http://127.0.0.1:7480 (repeatable). "
              + "Each also comes from its environment variable, e.g. CASQ_S3_ENDPOINT.")
  Map<String, String> properties = new LinkedHashMap<>();

  /** The store URI from the option or $CASQ_STORE, or null. */
  String resolve(Map<String, String> env) {
    if (store != null && !store.isBlank()) {
      return store.trim();
    }
    String e = env.get("CASQ_STORE");
    return e == null || e.isBlank() ? null : e.trim();
  }
}
