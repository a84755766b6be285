package dev.casq.core.internal;

import dev.casq.storage.Version;
import java.util.List;

/**
 * A sealed batch: the commands applied, the encoded state that carries them and the version it is
 * conditioned on. One write of it is in flight at a time; its outcome comes back as a {@link
 * WriteOutcome}.
 *
 * @param batch the callers answered when the write lands
 * @param bytes the encoded state
 * @param expected the version the write is conditioned on
 * @param revision the revision the state carries
 * @param commitId the commit id recorded in the state, to find the write again after an unknown
 *     outcome
 * @param archive the archive object written for this commit, or null
 * @param segments the segments written for this commit (a spill, a merge) and those it stops naming
 * @param leased the leased-jobs objects written for this commit and those it stops naming
 * @param startNanos when the write started (for the commit latency)
 */
record InFlightWrite(
    List<Pending<?>> batch,
    byte[] bytes,
    Version expected,
    long revision,
    String commitId,
    Archiver.Written archive,
    Segments.Change segments,
    LeasedObjects.Change leased,
    long startNanos) {}
