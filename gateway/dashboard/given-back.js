// The words for a job its provider gave back (JobEscrow.abandonJob, by the provider or its operator, before the
// job's deadline), in one place: JobEscrow settles it as a timeout, and the feed, the job's timeline and its badge
// each read "timed out", as if the deadline had passed, until each was reworded on its own.

const GIVEN_BACK = "given back";
const BEFORE_DEADLINE = "before its deadline";

/** Who gave the job back, by role: JobEscrow.abandonJob takes the provider or its operator. */
export function giverRole(abandonedBy, provider) {
  return abandonedBy.toLowerCase() === provider.toLowerCase() ? "its provider" : "its provider's operator";
}

/** The badge of a job given back, and its title, which keeps the status it ended in. */
export const GIVEN_BACK_BADGE = { label: "Given back", title: `Timed out: ${GIVEN_BACK} by its provider before its result deadline` };

/** Titles of the two entries a job given back leaves in its timeline (JobAbandoned, then JobTimedOut in the same transaction). */
export const GIVEN_BACK_TITLES = {
  JobAbandoned: `Given back ${BEFORE_DEADLINE}`,
  // JobEscrow settles a job given back as a timeout; "Job timed out" read as a result deadline that had passed.
  JobTimedOut: `Ended as ${GIVEN_BACK}`,
};

/** The feed's JobAbandoned: `job` ("job #5") given back by `provider` (its address as the feed writes it). */
export function abandonedSentence(provider, job) {
  return `Provider ${provider} gave ${job} back ${BEFORE_DEADLINE}, to be settled as a timeout`;
}

/** The feed's JobTimedOut of a job given back: `Job` capitalised, `giver` who gave it back, `amount` what was refunded. */
export function givenBackSentence(job, giver, amount) {
  return `${job} ${GIVEN_BACK} by ${giver} ${BEFORE_DEADLINE}${amount}`;
}
