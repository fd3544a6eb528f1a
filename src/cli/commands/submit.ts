// `helios submit TYPE`: creates a Job from flags (idempotently with --idempotency-key), optionally waits for its result.
import { readFileSync } from "node:fs";
import { Option } from "commander";
import { parse } from "yaml";
import { PRIORITY_CLASSES, type PriorityClass } from "../../api/index.js";
import { InvalidJobSpecError, JobClient, type JobSpecInput } from "../../client/index.js";
import { UsageError, type CliCommand, type CliContext } from "../command.js";
import { addKubeOptions, connect, explainApiError, type KubeFlags } from "../kube/index.js";
import { describeSubmitted } from "../output/index.js";
import { addWaitOptions, waitAndReport, type WaitFlags } from "./wait.js";

interface SubmitFlags extends KubeFlags, WaitFlags {
  readonly payload?: string;
  readonly priority?: PriorityClass;
  readonly queue?: string;
  readonly capability?: string[];
  readonly idempotencyKey?: string;
  readonly maxRetries?: string;
  readonly name?: string;
  readonly label?: string[];
  readonly wait?: boolean;
}

/**
 * `--payload`: a JSON object, or `@file` holding a JSON or YAML object.
 * @throws UsageError when it is not an object or the file cannot be read.
 */
export function parsePayload(value: string): Record<string, unknown> {
  let parsed: unknown;
  if (value.startsWith("@")) {
    const file = value.slice(1);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new UsageError(`--payload ${value}: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      parsed = parse(text);
    } catch (err) {
      throw new UsageError(`--payload ${value}: ${file} is not JSON or YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else {
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      throw new UsageError(`--payload: not JSON (${err instanceof Error ? err.message : String(err)}); pass an object such as '{"message":"hi"}' or @file`);
    }
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError("--payload must be a JSON object, e.g. '{\"message\":\"hi\"}'");
  return parsed as Record<string, unknown>;
}

/** `--label k=v` (repeatable or comma-separated) as labels. */
export function parseLabels(values: readonly string[] | undefined): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  const labels: Record<string, string> = {};
  for (const pair of values.flatMap((v) => v.split(",")).filter((p) => p !== "")) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`invalid value ${JSON.stringify(pair)} for --label: expected key=value`);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

async function runSubmit(type: string, flags: SubmitFlags, ctx: CliContext): Promise<void> {
  const target = connect(flags, ctx.env);
  const spec: JobSpecInput = {
    type,
    ...(flags.payload === undefined ? {} : { payload: parsePayload(flags.payload) }),
    ...(flags.priority === undefined ? {} : { priority: flags.priority }),
    ...(flags.queue === undefined ? {} : { queue: flags.queue }),
    ...(flags.capability === undefined ? {} : { requiredCapabilities: flags.capability.flatMap((c) => c.split(",")).filter((c) => c !== "") }),
    ...(flags.maxRetries === undefined ? {} : { retry: { maxRetries: parseCount(flags.maxRetries, "--max-retries") } }),
  };
  const labels = parseLabels(flags.label);
  const jobs = new JobClient(target.transport, target.namespace);
  let submitted;
  try {
    submitted = await jobs.submit(spec, {
      ...(flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }),
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(labels === undefined ? {} : { labels }),
    });
  } catch (err) {
    if (err instanceof InvalidJobSpecError) throw new UsageError(err.message);
    throw explainApiError(err, { verb: "create", resource: "jobs.helios.dev", namespace: target.namespace, name: flags.name }, target);
  }
  if (flags.wait !== true) {
    ctx.stdout(describeSubmitted(submitted, flags.output));
    return;
  }
  ctx.stderr(describeSubmitted(submitted, undefined));
  await waitAndReport(target, submitted.job.metadata.name ?? "", flags, ctx);
}

function parseCount(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`invalid value ${JSON.stringify(value)} for ${flag}: expected a whole number`);
  return Number(value);
}

const repeatable = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export const command: CliCommand = {
  register(program, ctx) {
    addWaitOptions(
      addKubeOptions(
        program
          .command("submit")
          .argument("<type>", "the handler type, e.g. echo or report.generate")
          .description("submit a job (idempotently with --idempotency-key); with --wait, print its result and exit with how it ended"),
        {},
      )
        .option("--payload <json|@file>", "the payload: a JSON object, or @file with a JSON or YAML object")
        .addOption(new Option("--priority <class>", "priority class (default normal)").choices(PRIORITY_CLASSES))
        .option("--queue <queue>", "the queue (default default)")
        .addOption(new Option("--capability <capability>", "a capability the agent must offer (repeat or comma-separate)").argParser(repeatable))
        .option("--max-retries <n>", "retries after the first attempt before the job fails (default 3)")
        .option("--idempotency-key <key>", "submitting the same key again returns the Job it created instead of a new one")
        .option("--name <name>", "an exact Job name (default: generated from the type)")
        .addOption(new Option("-l, --label <key=value>", "a label on the Job (repeat or comma-separate)").argParser(repeatable))
        .option("--wait", "wait until the job ends; print its result; exit 0 succeeded, 3 failed, 4 expired, 5 cancelled, 6 timed out"),
    ).action((type: string, flags: SubmitFlags) => runSubmit(type, flags, ctx));
  },
};
