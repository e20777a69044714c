/**
 * What every Clearhouse task shares: one-line errors (a `HardhatPluginError`, which Hardhat prints
 * without a stack trace and turns into exit code 1) and argument validation with zod.
 */
import { TASK_COMPILE } from "hardhat/builtin-tasks/task-names";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { getAddress } from "ethers";
import { z } from "zod";

/** Tasks that run other code which may call ours and handle its errors: a failure there must throw. */
const HOSTS = new Set(["test", "coverage", "run", "console"]);

/**
 * Whether a person ran this task from the command line (`npx hardhat market:join ...`), not a test, a script or
 * another task. Hardhat's CLI prints a plugin error's stack trace after its line wherever it believes it runs on
 * a CI server, which includes every Linux machine without a display (SSH servers, containers): a person's refused
 * command then gets its one line on stderr and exit code 1, and nothing else.
 */
function ranFromCommandLine(): boolean {
  const main = require.main?.filename ?? "";
  if (!/hardhat[\\/]internal[\\/]cli[\\/](bootstrap|cli)\.[jt]s$/.test(main)) return false;
  return !process.argv.slice(2).some((arg) => HOSTS.has(arg));
}

/** Ends the task with `message` on one line and exit code 1. */
export const fail = (message: string): never => {
  if (ranFromCommandLine()) {
    console.error(`Error in plugin clearhouse: ${message}`);
    process.exit(1);
  }
  throw new HardhatPluginError("clearhouse", message);
};

/** The first problem of a zod error as `--flag: message` (just the message when it is about several flags). */
const describeIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  // The flag is the first path element; later ones index into a parsed list (`--only a,b`).
  const flag = issue.path.length ? String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) : "";
  return flag ? `--${flag}: ${issue.message}` : issue.message;
};

/** Validates a task's arguments; a bad one ends the task naming the flag (`task: --flag: why`). */
export function parseArgs<T extends z.ZodTypeAny>(taskName: string, schema: T, args: unknown): z.infer<T> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) fail(`${taskName}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

/**
 * Compiles the contracts (quietly; a no-op when up to date). A custom task does not compile on its
 * own, unlike `hardhat run` and `hardhat test`, and every task that deploys or reads an artifact
 * needs the build.
 */
export async function compileFirst(hre: HardhatRuntimeEnvironment): Promise<void> {
  await hre.run(TASK_COMPILE, { quiet: true });
}

/**
 * The account a command acts as: `--from` is an index into the network's configured accounts or one of their
 * addresses (default: the first). A testnet has the one key of its configuration variable.
 */
export async function signerFrom(hre: HardhatRuntimeEnvironment, taskName: string, from: string | undefined) {
  const signers = await hre.ethers.getSigners();
  if (signers.length === 0) fail(`${taskName}: network "${hre.network.name}" has no account to send from`);
  if (from === undefined) return signers[0];
  if (/^\d+$/.test(from)) {
    const i = Number(from);
    if (i >= signers.length) fail(`${taskName}: --from: account ${i} does not exist (network has ${signers.length})`);
    return signers[i];
  }
  const match = signers.find((s) => s.address.toLowerCase() === from.toLowerCase());
  if (!match) fail(`${taskName}: --from: ${from} is not an account of network "${hre.network.name}"`);
  return match!;
}

/**
 * The address of a contract deployed by Ignition on the connected chain (`ClearingMarket#ClearingMarket`, say):
 * the most recent deployment folder whose journal is for this chain and holds it. Undefined when there is none
 * (the in-process network keeps no deployment files).
 */
export async function deployedAddress(hre: HardhatRuntimeEnvironment, futureId: string): Promise<string | undefined> {
  // Ignition writes no files for the in-process network; a journal for its chain id (31337) is a local node's.
  if (hre.network.name === "hardhat") return undefined;
  const fs = await import("node:fs");
  const path = await import("node:path");
  const root = path.join(hre.config.paths.root, "ignition", "deployments");
  if (!fs.existsSync(root)) return undefined;
  const chainId = Number((await hre.ethers.provider.getNetwork()).chainId);
  const candidates = fs
    .readdirSync(root)
    .map((d) => path.join(root, d))
    .filter(
      (d) => fs.existsSync(path.join(d, "deployed_addresses.json")) && fs.existsSync(path.join(d, "journal.jsonl")),
    )
    .map((d) => ({ d, mtime: fs.statSync(path.join(d, "deployed_addresses.json")).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { d } of candidates) {
    // Ignition's journal starts with an empty line: its first record is the first line that is not.
    const first = fs
      .readFileSync(path.join(d, "journal.jsonl"), "utf8")
      .split("\n")
      .find((line) => line.trim() !== "");
    if (!first || (JSON.parse(first) as { chainId?: number }).chainId !== chainId) continue;
    const addresses = JSON.parse(fs.readFileSync(path.join(d, "deployed_addresses.json"), "utf8"));
    if (addresses[futureId]) return addresses[futureId] as string;
  }
  return undefined;
}

/**
 * The contract a command acts on: the flag's address, else the latest Ignition deployment on this chain;
 * a clear error when neither is there or no code answers at the address.
 */
export async function contractAddress(
  hre: HardhatRuntimeEnvironment,
  taskName: string,
  flag: "market" | "escrow",
  given: string | undefined,
): Promise<string> {
  const { isAddress, getAddress } = await import("ethers");
  try {
    await hre.ethers.provider.getBlockNumber();
  } catch (e) {
    const url = "url" in hre.network.config ? ` at ${hre.network.config.url}` : "";
    fail(
      `${taskName}: cannot reach the node of network "${hre.network.name}"${url}: ` +
        (e as Error).message.split("\n")[0],
    );
  }
  const futureId = flag === "market" ? "ClearingMarket#ClearingMarket" : "ExchangeEscrow#ExchangeEscrow";
  const address = given ?? (await deployedAddress(hre, futureId));
  if (address === undefined) {
    fail(`${taskName}: --${flag}: no address given and no Ignition deployment of it on network "${hre.network.name}"`);
  }
  if (!isAddress(address)) fail(`${taskName}: --${flag}: not an address (0x and 40 hex digits): ${address}`);
  if ((await hre.ethers.provider.getCode(address!)) === "0x") {
    fail(`${taskName}: --${flag}: no contract at ${address} on network "${hre.network.name}"`);
  }
  // A view only that contract has: the other mechanism (or any other contract) at the address is refused here,
  // before a call meets a selector it does not know.
  const [kind, probe] = flag === "market" ? ["ClearingMarket", "DORMANT_AFTER"] : ["ExchangeEscrow", "tableCount"];
  const { Contract } = await import("ethers");
  const probed = new Contract(address!, [`function ${probe}() view returns (uint256)`], hre.ethers.provider);
  await probed
    .getFunction(probe)
    .staticCall()
    .catch(() => fail(`${taskName}: --${flag}: ${address} is not a${kind === "ExchangeEscrow" ? "n" : ""} ${kind}`));
  return getAddress(address!);
}

/** Prints a command's result: its human summary, or with `--json` the data as JSON (bigints as strings). */
export async function report(json: boolean, summary: string | string[], data: unknown): Promise<void> {
  if (json) {
    const { toJson } = await import("../src/common/json");
    console.log(toJson(data, 2));
  } else {
    console.log(Array.isArray(summary) ? summary.join("\n") : summary);
  }
}

/** Runs a library call; its one-line refusal (a decoded custom error, a bad input) ends the task with exit 1. */
export async function orFail<T>(taskName: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    return fail(`${taskName}: ${message}`);
  }
}

/** A decimal amount in 18-decimal fixed point (`"12.5"` is 12.5e18): asset amounts and quantities. */
export const decimal18 = z
  .string()
  .regex(/^\d+(\.\d{1,18})?$/, "expected a non-negative decimal number with at most 18 decimals (e.g. 12.5)")
  .transform((s) => {
    const [whole, fraction = ""] = s.split(".");
    return BigInt(whole) * 10n ** 18n + BigInt(fraction.padEnd(18, "0"));
  });

/** An address, checksummed. */
export const addressArg = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "not an address (0x and 40 hex digits)")
  .transform((s) => getAddress(s.toLowerCase()));
