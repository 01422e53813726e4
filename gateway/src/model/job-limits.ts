// JobEscrow's job limits, as the gateway's model names them: the one copy lives next to the contract (see there).
export { JOB_LIMITS, type JobLimits } from "../../../contracts/jobs/job-limits";
