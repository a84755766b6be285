package dev.casq.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Every client operation of one run, in the order things happened. */
final class History {
  private final List<Op> ops = new ArrayList<>();
  private final List<String> notes = new ArrayList<>(); // faults and node events, for context
  private final List<String> lines = new ArrayList<>(); // ops and notes interleaved

  void add(Op op) {
    ops.add(op);
    lines.add(op.line());
  }

  /** Something the run did that is not a client operation (a fault, a takeover). */
  void note(long at, String what) {
    String line = at + " -- " + what;
    notes.add(line);
    lines.add(line);
  }

  List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  List<String> lines() {
    return Collections.unmodifiableList(lines);
  }

  /** The whole history as text: equal for equal seeds, byte for byte. */
  String render() {
    return String.join("\n", lines);
  }

  /** The last {@code n} lines, to print beside a failing seed. */
  String tail(int n) {
    return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }
}
