/**
 * What every Clearhouse task shares: one-line errors (a `HardhatPluginError`, which Hardhat prints
 * without a stack trace and turns into exit code 1) and argument validation with zod.
 */
import { HardhatPluginError } from "hardhat/plugins";
import { z } from "zod";

/** Ends the task with `message` on one line and exit code 1. */
export const fail = (message: string): never => {
  throw new HardhatPluginError("clearhouse", message);
};

/** The first problem of a zod error as `--flag: message` (just the message when it is about several flags). */
export const describeIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  const flag = issue.path.map((p) => String(p).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join(".");
  return flag ? `--${flag}: ${issue.message}` : issue.message;
};

/** Validates a task's arguments; a bad one ends the task naming the flag (`task: --flag: why`). */
export function parseArgs<T extends z.ZodTypeAny>(taskName: string, schema: T, args: unknown): z.infer<T> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) fail(`${taskName}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}
