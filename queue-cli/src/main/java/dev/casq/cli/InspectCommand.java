package dev.casq.cli;

import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.StateCodec;
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
        "Prints the queue's state object (the head) as pretty JSON, read directly from storage;"
            + " with --segments, a summary of the head and of each leased-jobs and segment object"
            + " it names instead. Works without a broker; writes nothing.")
final class InspectCommand implements Callable<Integer> {
  @ParentCommand CasqCommand parent;
  @Spec CommandSpec spec;
  @Mixin HelpOption help = new HelpOption();
  @Mixin StoreOptions store = new StoreOptions();

  @picocli.CommandLine.Option(
      names = "--segments",
      description =
          "Print a summary instead of the JSON: the head's size and jobs, for each"
              + " leased-jobs object its count, current and superseded jobs and bytes, and for each"
              + " segment its count, cursor, remaining jobs, priority and seq range, keys and bytes"
              + " (reads every object the head names).")
  boolean segments;

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    String uri = store.resolve(parent.env());
    if (uri == null) {
      throw new CommandLine.ParameterException(
          cmd, "no queue given: use --store URI (or set" + " CASQ_STORE)");
    }
    if (segments) {
      try (StoreLocation loc = Stores.open(uri, store.properties)) {
        SegmentSummary.print(loc, cmd.getOut());
      }
      cmd.getOut().flush();
      return 0;
    }
    byte[] bytes = read(uri, store.properties);
    cmd.getOut().println(StateCodec.pretty(bytes));
    cmd.getOut().flush();
    QueueState state = StateCodec.decode(bytes);
    if (!state.segments().isEmpty()) {
      cmd.getErr()
          .printf(
              "casq: the head names %,d segment objects holding %,d waiting jobs;"
                  + " casq inspect --segments summarises them%n",
              state.segments().size(), state.segmentedCount());
      cmd.getErr().flush();
    }
    if (!state.leasedObjects().isEmpty()) {
      int held = 0;
      for (QueueState.LeasedObjectRef ref : state.leasedObjects()) {
        held += ref.held();
      }
      cmd.getErr()
          .printf(
              "casq: the head names %,d leased-jobs objects holding %,d leased jobs"
                  + " (not shown above); casq inspect --segments summarises them%n",
              state.leasedObjects().size(), held);
      cmd.getErr().flush();
    }
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
