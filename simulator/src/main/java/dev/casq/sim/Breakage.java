package dev.casq.sim;

/**
 * Engines broken on purpose, to prove that the checker catches what it claims to: a checker that
 * stays silent for these would stay silent for the real bugs too.
 */
public enum Breakage {
  /** casq as it is. */
  NONE,
  /** A push is acknowledged as soon as it is applied, before the write carrying it lands. */
  ACK_BEFORE_WRITE,
  /** An unknown write outcome is taken for a lost race and the batch redone under a new id. */
  GUESS_LOST,
  /** A claim leases the job and silently makes it claimable again at once. */
  DOUBLE_LEASE
}
