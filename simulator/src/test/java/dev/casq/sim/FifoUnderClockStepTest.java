package dev.casq.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.casq.api.ClaimRequest;
import dev.casq.core.QueuePolicy;
import dev.casq.core.internal.Job;
import dev.casq.core.internal.PushRequest;
import dev.casq.core.internal.QueueState;
import dev.casq.core.internal.QueueStateMachine;
import dev.casq.core.internal.Tokens;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Found by simulator seed 38: an undelayed push runs at the broker's "now", and when the broker's
 * clock steps back (within the documented skew), or the queue fails over to a broker whose clock is
 * behind, a later push gets an earlier run-at. Ready jobs are ordered by push order within a
 * priority, so it is still claimed second.
 */
class FifoUnderClockStepTest {

  @Test
  void sequentialPushesAreClaimedInPushOrderWhenTheClockStepsBack() {
    QueueStateMachine machine =
        new QueueStateMachine(QueuePolicy.defaults(), Tokens.sequential("t"));
    QueueState state = QueueState.empty();
    Instant t = Instant.parse("2031-03-14T09:27:02.597Z");
    String first = machine.push(state, PushRequest.of("{\"n\":1}"), t).jobId();
    String second = machine.push(state, PushRequest.of("{\"n\":2}"), t.minusMillis(41)).jobId();

    List<Job> claimed = machine.claim(state, new ClaimRequest("w", null, 2, java.util.Set.of()), t);

    assertThat(claimed).extracting(Job::id).containsExactly(first, second);
  }
}
