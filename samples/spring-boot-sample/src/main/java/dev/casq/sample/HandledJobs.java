package dev.casq.sample;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Component;

/** What the handlers have done, in order (the sample's stand-in for real side effects). */
@Component
public class HandledJobs {
  private final List<Jobs.Handled> handled = new CopyOnWriteArrayList<>();

  /**
   * Records a handled job.
   *
   * @param job what was done
   */
  public void add(Jobs.Handled job) {
    handled.add(job);
  }

  /**
   * Every handled job so far.
   *
   * @return a copy, oldest first
   */
  public List<Jobs.Handled> all() {
    return List.copyOf(handled);
  }
}
