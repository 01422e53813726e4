// DisputeManager: disputes over submitted results.
import {
  AddressParameterUpdated,
  DisputeAnswered,
  DisputeOpened,
  DisputeResolved,
  ParameterUpdated,
  TokensRecovered,
} from "../generated/DisputeManager/DisputeManager";
import { Dispute, DisputeAnsweredEvent, DisputeOpenedEvent, DisputeResolvedEvent, Job } from "../generated/schema";
import {
  CAT_DISPUTE,
  commit,
  decimalId,
  eventId,
  loadNetworkDay,
  loadOrCreateAccount,
  loadOrCreateProvider,
  loadProtocol,
  loadProviderDay,
  recordAddressParameterUpdated,
  recordParameterUpdated,
  recordTokenRecovery,
  saveProvider,
  setJobStatus,
  stamp,
  ZERO,
} from "./common";

const KIND = "DisputeManager";
const RULINGS = ["None", "Upheld", "Rejected", "Draw", "Expired"];

function rulingName(ruling: i32): string {
  if (ruling >= 0 && ruling < RULINGS.length) return RULINGS[ruling];
  return "None";
}

export function handleDisputeOpened(event: DisputeOpened): void {
  let params = event.params;
  let id = decimalId(params.jobId);
  let p = loadProtocol();
  let d = loadNetworkDay(event);

  let client = loadOrCreateAccount(params.client, event);
  client.save();

  let dispute = new Dispute(id);
  dispute.job = id;
  dispute.client = client.id;
  dispute.provider = params.provider;
  dispute.deposit = params.deposit;
  dispute.evidenceURI = params.evidenceURI;
  dispute.openedAt = event.block.timestamp;
  dispute.openedTransaction = event.transaction.hash;
  dispute.ruleDeadline = params.ruleDeadline;
  dispute.answered = false;
  dispute.ruling = "None";
  dispute.resolved = false;
  dispute.slashed = ZERO;
  dispute.reward = ZERO;
  dispute.save();

  // The escrow's markDisputed emits nothing: DisputeOpened is the job's move to Disputed.
  let job = Job.load(id);
  if (job == null) throw new Error("DisputeOpened for unknown job " + id);
  setJobStatus(job, "Disputed", p, event);
  job.dispute = id;
  job.disputedAt = event.block.timestamp;
  job.disputedTransaction = event.transaction.hash;
  job.save();

  let provider = loadOrCreateProvider(params.provider, event);
  provider.disputesOpened += 1;
  saveProvider(provider, event);

  let e = new DisputeOpenedEvent(eventId(event));
  stamp(e, event, CAT_DISPUTE, [params.client, params.provider]);
  e.job = id;
  e.provider = provider.id;
  e.dispute = id;
  e.client = params.client;
  e.deposit = params.deposit;
  e.evidenceURI = params.evidenceURI;
  e.ruleDeadline = params.ruleDeadline;
  e.save();

  p.disputeCount += 1;
  p.disputesOpen += 1;
  d.disputesOpened += 1;
  commit(p, d, event);
}

export function handleDisputeAnswered(event: DisputeAnswered): void {
  let params = event.params;
  let id = decimalId(params.jobId);
  let dispute = Dispute.load(id);
  if (dispute == null) throw new Error("DisputeAnswered for unknown dispute " + id);
  dispute.answered = true;
  dispute.answerEvidenceURI = params.evidenceURI;
  dispute.answeredBy = params.by;
  dispute.answeredAt = event.block.timestamp;
  dispute.answeredTransaction = event.transaction.hash;
  dispute.save();

  let e = new DisputeAnsweredEvent(eventId(event));
  stamp(e, event, CAT_DISPUTE, [dispute.client, params.provider, params.by]);
  e.job = id;
  e.provider = params.provider;
  e.dispute = id;
  e.by = params.by;
  e.evidenceURI = params.evidenceURI;
  e.save();
}

export function handleDisputeResolved(event: DisputeResolved): void {
  let params = event.params;
  let id = decimalId(params.jobId);
  let ruling = rulingName(params.ruling);
  let p = loadProtocol();
  let d = loadNetworkDay(event);

  let dispute = Dispute.load(id);
  if (dispute == null) throw new Error("DisputeResolved for unknown dispute " + id);
  dispute.ruling = ruling;
  dispute.resolved = true;
  dispute.resolvedBy = params.by;
  dispute.resolvedAt = event.block.timestamp;
  dispute.resolvedTransaction = event.transaction.hash;
  dispute.slashed = params.slashed;
  dispute.reward = params.reward;
  dispute.depositTo = params.depositTo;
  dispute.save();

  let provider = loadOrCreateProvider(dispute.provider, event);
  let pd = loadProviderDay(provider, event);
  // DisputeResolved names only the deposit's recipient; the amount is the one DisputeOpened posted.
  if (ruling == "Upheld") {
    provider.disputesLost += 1;
    pd.disputesLost += 1;
    provider.disputeDepositsReturned = provider.disputeDepositsReturned.plus(dispute.deposit);
  } else if (ruling == "Rejected") {
    provider.disputesWon += 1;
    provider.disputeDepositsWon = provider.disputeDepositsWon.plus(dispute.deposit);
    pd.disputeDepositsWon = pd.disputeDepositsWon.plus(dispute.deposit);
    p.disputeDepositsWonTotal = p.disputeDepositsWonTotal.plus(dispute.deposit);
    d.disputeDepositsWon = d.disputeDepositsWon.plus(dispute.deposit);
  } else {
    provider.disputesDrawn += 1;
    provider.disputeDepositsReturned = provider.disputeDepositsReturned.plus(dispute.deposit);
  }
  saveProvider(provider, event, pd);

  let e = new DisputeResolvedEvent(eventId(event));
  stamp(e, event, CAT_DISPUTE, [dispute.client, dispute.provider, params.by]);
  e.job = id;
  e.provider = provider.id;
  e.dispute = id;
  e.ruling = ruling;
  e.by = params.by;
  e.slashed = params.slashed;
  e.reward = params.reward;
  e.depositTo = params.depositTo;
  e.save();

  p.disputesOpen -= 1;
  d.disputesResolved += 1;
  commit(p, d, event);
}

export function handleDisputeParameterUpdated(event: ParameterUpdated): void {
  recordParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}

export function handleDisputeAddressParameterUpdated(event: AddressParameterUpdated): void {
  recordAddressParameterUpdated(event, KIND, event.params.parameter, event.params.value);
}

export function handleDisputeTokensRecovered(event: TokensRecovered): void {
  recordTokenRecovery(event, KIND, event.params.token, event.params.to, event.params.amount);
}
