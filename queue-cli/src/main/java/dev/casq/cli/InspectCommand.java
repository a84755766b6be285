package dev.casq.cli;

import dev.casq.core.StateCodec;
import dev.casq.storage.StoreLocation;
import dev.casq.storage.Stores;
import dev.casq.storage.VersionedBytes;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code casq inspect}: the state object, pretty-printed, read straight from storage. */
@Command(
    name = "inspect",
    header = "Print a queue's state object.",
    description =
        "Prints the queue's state object as pretty JSON, read directly from storage. Works"
            + " without a broker; writes nothing.")
final class InspectCommand implements Callable<Integer> {
  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();
  @Mixin StoreOptions store = new StoreOptions();

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    String uri = store.resolve(parent.env());
    if (uri == null) {
      throw new CommandLine.ParameterException(cmd, "no queue given: use --store URI (or set"
          + " CASQ_STORE)");
    }
    byte[] bytes = read(uri, store.properties);
    cmd.getOut().println(StateCodec.pretty(bytes));
    cmd.getOut().flush();
    return 0;
  }

  /** The object's bytes; a clear error when there is none. */
  static byte[] read(String uri, java.util.Map<String, String> properties) {
    try (StoreLocation loc = Stores.open(uri, properties)) {
      Optional<VersionedBytes> v = loc.store().read(loc.key());
      if (v.isEmpty()) {
        throw new CliException("no queue object at " + loc + " (nothing was pushed there yet?)");
      }
      return v.get().data();
    }
  }
}
