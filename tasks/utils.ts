/**
 * What every Clearhouse task shares: one-line errors (a `HardhatPluginError`, which Hardhat prints
 * without a stack trace and turns into exit code 1) and argument validation with zod.
 */
import { TASK_COMPILE } from "hardhat/builtin-tasks/task-names";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { z } from "zod";

/** Ends the task with `message` on one line and exit code 1. */
export const fail = (message: string): never => {
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
