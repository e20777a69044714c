import hre from "hardhat";

/** Runs a Hardhat task in this process and returns what it printed (its `console.log` lines). */
export async function runTask(name: string, args: Record<string, unknown> = {}): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    await hre.run(name, args);
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}
