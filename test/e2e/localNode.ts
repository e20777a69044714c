import { type ChildProcess, spawn } from "node:child_process";

/**
 * A local node for an end-to-end test: `npx <command...>` started in its own process group (so that stopping it
 * stops every process it started), ready once its output contains `ready`.
 */
export function startNode(
  name: string,
  command: string[],
  ready: string,
  timeoutMs = 90_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildProcess> {
  const node = spawn("npx", command, { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), timeoutMs);
    node.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve(node);
      }
    });
    node.on("exit", (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}

/** Stops a node started by {@link startNode} and waits for it to exit (nothing if it is gone). */
export async function stopNode(node: ChildProcess | undefined): Promise<void> {
  if (!node?.pid || node.exitCode !== null) return;
  const exited = new Promise((r) => node.once("exit", r));
  try {
    process.kill(-node.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  await exited;
}
