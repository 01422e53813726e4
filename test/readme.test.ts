// README.md's GraphQL examples ("A tour of the API"), as a newcomer pastes them: each one valid against the
// gateway's schema and within the query limits the gateway enforces by default.
import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSchema, getOperationAST, parse, validate } from "graphql";
import hre from "hardhat";
import { checkQueryLimits, DEFAULT_QUERY_LIMITS } from "../gateway/src/limits/query-limits";
import { parseDevnetOptions, USAGE } from "../scripts/devnet/options";
import { parseArgs as parsePostJobArgs } from "../scripts/examples/post-job";
import { loadTypeDefs } from "../gateway/src/schema/executable-schema";

const README = path.join(__dirname, "..", "README.md");
const WORKER_README = path.join(__dirname, "..", "scripts", "worker", "README.md");

/** Hardhat's own options, which every task takes. */
const GLOBAL_OPTIONS = new Set(["network", "show-stack-traces", "verbose", "config", "help", "max-memory", "tsconfig", "typecheck", "flamegraph"]);

/**
 * The options every task takes that the commands the tasks print (suggest, scripts/tasks/actions/shared.ts) put
 * after the task's own, in this order: a README example shaped otherwise reads as another syntax.
 */
const COMMON_LAST = ["network", "deployment", "from"];

/**
 * The task commands a README gives (`npx hardhat <area> <task> --option ...`), each up to the end of its code span,
 * table cell or line (a shell line continued with a backslash read on): what a reader pastes.
 */
function taskCommands(markdown: string): string[] {
  return [...markdown.replace(/\\\n\s*/g, " ").matchAll(/npx hardhat ([a-z]+ [a-z-]+(?:[^`|\n])*)/g)].map((m) => m[1] as string);
}

function kebabToCamel(option: string): string {
  return option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** GitHub's anchor for a heading: lowercase, punctuation other than - and _ dropped, spaces as -. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1] as string)));
}

function graphqlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
}

describe("README.md", function () {
  it("has GraphQL examples that the gateway's schema and default query limits accept", function () {
    const schema = buildSchema(loadTypeDefs());
    const blocks = graphqlBlocks(fs.readFileSync(README, "utf8"));
    expect(blocks.length, "the tour's examples").to.equal(6);
    for (const block of blocks) {
      const document = parse(block);
      expect(validate(schema, document).map((e) => e.message), block).to.deep.equal([]);
      const operation = getOperationAST(document);
      expect(operation, block).to.not.equal(null);
      expect(checkQueryLimits(schema, document, operation!, {}, DEFAULT_QUERY_LIMITS).errors.map((e) => e.message), block).to.deep.equal([]);
    }
  });

  it("names every npm script of package.json in its npm scripts table", function () {
    const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
    const section = /^## npm scripts\n([\s\S]*?)^## /m.exec(fs.readFileSync(README, "utf8"));
    expect(section, "README.md's npm scripts section").to.not.equal(null);
    const named = new Set([...section![1]!.matchAll(/`(?:npm (?:run )?)?([a-z:-]+)/g)].map((m) => m[1] as string));
    expect(scripts.filter((script) => !named.has(script)), "scripts the table does not name").to.deep.equal([]);
  });

  it("lists in its npm start options table exactly the options npm start takes", function () {
    const section = /^## What `npm start` runs\n([\s\S]*?)^## /m.exec(fs.readFileSync(README, "utf8"));
    expect(section, "README.md's npm start section").to.not.equal(null);
    const rows = section![1]!.split("\n").filter((line) => line.startsWith("| `--"));
    const documented = rows.flatMap((row) => [...row.split(" | ")[0]!.matchAll(/`(--[a-z-]+)( <[a-z-]+>)?`/g)].map((m) => ({ option: m[1]!, takesValue: m[2] !== undefined })));
    // Refused as unknown, or taking no value where the table shows one (or the reverse): what a reader copying it meets.
    const wrong = documented.flatMap(({ option, takesValue }) => {
      try {
        parseDevnetOptions(takesValue ? [option, "1"] : [option], "/work");
        return [];
      } catch (error) {
        const message = (error as Error).message;
        return /unknown option|takes no value|needs a value/.test(message) ? [`${option}: ${message}`] : [];
      }
    });
    expect(wrong, "options the table shows as npm start does not take them").to.deep.equal([]);
    const taken = [...USAGE.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((option) => option !== "--help");
    const named = new Set(documented.map((d) => d.option));
    expect(taken.filter((option) => !named.has(option)), "npm start options the table leaves out").to.deep.equal([]);
  });

  it("runs its dApp walk (scripts/examples/post-job.ts) with arguments the script takes", function () {
    const block = /^```sh\n(LATENT_CLIENT_KEY=(0x[0-9a-f]+) \\\n\s+npx ts-node --transpile-only scripts\/examples\/post-job\.ts [\s\S]*?)^```$/m.exec(fs.readFileSync(README, "utf8"));
    expect(block, "README.md's post-job.ts command").to.not.equal(null);
    const argv = block![1]!.replace(/\\\n/g, " ").split(/\s+/).filter((word) => word !== "");
    const args = argv.slice(argv.indexOf("scripts/examples/post-job.ts") + 1);
    const parsed = parsePostJobArgs(args, { LATENT_CLIENT_KEY: block![2]! });
    expect(parsed).to.include({ gatewayUrl: "http://127.0.0.1:4000/graphql", rpcUrl: "http://127.0.0.1:8545", directed: true, permit: true });
    expect(parsed.requirements).to.deep.equal({ gpuCount: 1, hours: 0.25, gpuModels: ["rtx-4090-24gb"], regions: ["us-east"] });
  });

  for (const file of [README, WORKER_README]) {
    const name = path.relative(path.join(__dirname, ".."), file);

    it(`${name}: every npx hardhat task command names a task and only options it takes${file === README ? ", and every option it requires" : ""}, with --network, --deployment and --from last`, function () {
      const commands = taskCommands(fs.readFileSync(file, "utf8")).filter((c) => !c.startsWith("run "));
      expect(commands.length).to.be.greaterThan(0);
      const wrong: string[] = [];
      for (const command of commands) {
        // `npx hardhat help <area> <task>` prints that task's options: the task it names must exist.
        const [area, taskName] = (command.startsWith("help ") ? command.slice("help ".length) : command).split(" ") as [string, string];
        const definition = hre.scopes[area]?.tasks[taskName];
        if (definition === undefined) {
          wrong.push(`${command}: no task ${area} ${taskName}`);
          continue;
        }
        const given = new Set<string>();
        const options = [...command.matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)].map((m) => m[1]!);
        for (const option of options) {
          if (!GLOBAL_OPTIONS.has(option) && !(kebabToCamel(option) in definition.paramDefinitions)) wrong.push(`${command}: ${area} ${taskName} has no --${option}`);
          given.add(kebabToCamel(option));
        }
        const printedOrder = [...options.filter((o) => !COMMON_LAST.includes(o)), ...COMMON_LAST.filter((o) => options.includes(o))];
        if (options.join(" ") !== printedOrder.join(" ")) wrong.push(`${command}: --${COMMON_LAST.join(", --")} go after the task's options, in that order, as the tasks print them`);
        // A command pasted as shown must run: every option its task requires is given. The worker's README names tasks
        // in its prose (`npx hardhat stake add`) without the options, which the top-level README gives.
        if (command.startsWith("help ") || file !== README) continue;
        for (const param of Object.values(definition.paramDefinitions)) {
          if (!param.isOptional && !given.has(param.name)) wrong.push(`${command}: ${area} ${taskName} requires --${param.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
        }
      }
      expect(wrong).to.deep.equal([]);
    });

    it(`${name}: every relative link reaches a file, and its #anchor a heading there`, function () {
      const markdown = fs.readFileSync(file, "utf8");
      const broken: string[] = [];
      for (const [, target] of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [relative, anchor] = target!.split("#") as [string, string | undefined];
        const linked = relative === "" ? file : path.resolve(path.dirname(file), relative);
        if (!fs.existsSync(linked)) {
          broken.push(`${target}: no file ${path.relative(path.join(__dirname, ".."), linked)}`);
          continue;
        }
        if (anchor !== undefined && linked.endsWith(".md") && !anchors(fs.readFileSync(linked, "utf8")).has(anchor)) {
          broken.push(`${target}: no heading for #${anchor}`);
        }
      }
      expect(broken).to.deep.equal([]);
    });
  }
});
