/**
 * What `npx hardhat help <scope> <task>` prints of the tasks' definitions (scripts/tasks/*.ts): what each task does,
 * and for each option its unit and what leaving it out does. Hardhat prints an option's default value itself, as
 * "(default: 1)"; an optional option without one must say in its description what happens when it is not given.
 */
import { expect } from "chai";
import hre from "hardhat";

const AREAS = ["provider", "stake", "token", "job", "dispute", "gov", "guardian", "deployment", "devnet"];

/** Every task of the areas, as `scope task`, with its definition. */
function tasks() {
  return AREAS.flatMap((area) => Object.entries(hre.scopes[area]!.tasks).map(([name, definition]) => ({ task: `${area} ${name}`, definition })));
}

/**
 * What a description says of an option left out: its default, that it is needed, what it stands in for, or that it
 * is optional (a read-only task's --from, which reads no account).
 */
const SAYS_WHEN_LEFT_OUT = /default|required|instead of|unchanged|^optional|: optional/i;

describe("tasks: help texts", function () {
  it("every task scope says what its tasks are", function () {
    const lacking = AREAS.filter((area) => (hre.scopes[area]?.description ?? "").trim() === "");
    expect(lacking).to.deep.equal([]);
  });

  it("every task says what it does", function () {
    const lacking = tasks()
      .filter(({ definition }) => (definition.description ?? "").trim() === "")
      .map(({ task }) => task);
    expect(lacking).to.deep.equal([]);
  });

  it("every option of every task has a description", function () {
    const lacking = tasks().flatMap(({ task, definition }) =>
      Object.values(definition.paramDefinitions)
        .filter((param) => (param.description ?? "").trim() === "")
        .map((param) => `${task} --${param.name}`),
    );
    expect(lacking).to.deep.equal([]);
  });

  it("every optional option without a default value says what leaving it out does", function () {
    const lacking = tasks().flatMap(({ task, definition }) =>
      Object.values(definition.paramDefinitions)
        .filter((param) => param.isOptional && !param.isFlag && param.defaultValue === undefined && !SAYS_WHEN_LEFT_OUT.test(param.description ?? ""))
        .map((param) => `${task} --${param.name}`),
    );
    expect(lacking).to.deep.equal([]);
  });

  it("gov propose --value says the form each kind of setter takes, a time for renewPause among them", function () {
    const help = hre.scopes.gov!.tasks.propose!.paramDefinitions.value!.description ?? "";
    const forms = [
      /\bLAT for amounts \(minStakePerGpu 150, disputeDeposit, minTrackRecordCost, proposalThreshold\)/,
      /\ba duration for periods \(thawingPeriod 2h/,
      /\ba time for renewPause \(unix seconds or an ISO 8601 date, in UTC unless it names a zone/,
      /\bbasis points for the \*Bps shares \(protocolFeeBps 300 is 3%\)/,
      /\ba whole percent of the supply for the quorum/,
      /\ban address or account index for guardian, arbitrator and treasury/,
    ];
    expect(forms.filter((form) => !form.test(help)).map(String)).to.deep.equal([]);
  });

  it("every option that takes LAT says so, and every option that takes a duration names its units", function () {
    const lat = ["stake add --amount", "stake thaw --amount", "token transfer --amount", "job create --maxPrice", "provider register --price", "provider update --price", "provider price --price", "dispute rule --slash"];
    const durations = ["job create --maxDuration", "job create --acceptWithin", "devnet advance --by"];
    const described = new Map<string, string>(tasks().flatMap(({ task, definition }) => Object.values(definition.paramDefinitions).map((param) => [`${task} --${param.name}`, param.description ?? ""] as const)));
    expect(lat.filter((option) => !/\bLAT\b/.test(described.get(option) ?? "")), "without LAT").to.deep.equal([]);
    expect(durations.filter((option) => !/seconds.*\b\d+(m|h)\b/.test(described.get(option) ?? "")), "without units").to.deep.equal([]);
  });
});
