package dev.casq.spring;

import java.util.List;

/**
 * The {@code casq.*} properties cannot open the queue or run its worker; the message names every
 * wrong property and why. Thrown at startup, before anything is opened.
 */
public class InvalidCasqPropertiesException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * The properties are wrong.
   *
   * @param problems one line per wrong property
   */
  public InvalidCasqPropertiesException(List<String> problems) {
    super("invalid casq properties: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * What is wrong, one line per property.
   *
   * @return the problems
   */
  public List<String> problems() {
    return problems;
  }
}
