import { expect } from "chai";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/**
 * End to end over JSON-RPC: a `npx hardhat node` process on a loopback port, the deployment and
 * the agents and deals driven from a second process (Ignition over RPC), the auditor from a
 * third, then the node stopped and the auditor pointed at it again (a clear error, exit 1).
 */
const PORT = 8547 + (process.pid % 200);
const URL = `http://127.0.0.1:${PORT}`;
const run = promisify(execFile);

async function hardhat(args: string[], env: Record<string, string> = {}) {
  return run("npx", ["hardhat", ...args], {
    env: { ...process.env, E2E_RPC_URL: URL, CI: "", ...env },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

function startNode(): Promise<ChildProcess> {
  const node = spawn("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(PORT)], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`hardhat node did not start:\n${output}`)), 90_000);
    node.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Started HTTP and WebSocket JSON-RPC server")) {
        clearTimeout(timer);
        resolve(node);
      }
    });
    node.on("exit", (code) => reject(new Error(`hardhat node exited with ${code}:\n${output}`)));
  });
}

describe("End to end over JSON-RPC (hardhat node in its own process)", function () {
  this.timeout(240_000);
  let node: ChildProcess | undefined;
  const outFile = path.join(os.tmpdir(), `clearhouse-e2e-${process.pid}.json`);

  after(() => {
    if (node?.pid) {
      try {
        process.kill(-node.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    fs.rmSync(outFile, { force: true });
    // Ignition journals of the throw-away node's deployments.
    const journals = path.join("ignition", "deployments");
    if (fs.existsSync(journals)) {
      for (const d of fs.readdirSync(journals))
        if (d.startsWith("e2e-")) fs.rmSync(path.join(journals, d), { recursive: true });
    }
  });

  it("deploys, plays and audits over RPC from separate processes; a dead node gives a clear error", async () => {
    node = await startNode();
    const play = await hardhat(["run", "scripts/e2e-play.ts", "--network", "e2e"], { E2E_OUT: outFile });
    expect(play.code, play.stderr).to.equal(0);
    const { market, escrow, rounds } = JSON.parse(fs.readFileSync(outFile, "utf8"));
    expect(rounds).to.equal(6);

    const auditMarket = await hardhat(["audit", "--network", "e2e", "--market", market, "--page-size", "5"]);
    expect(auditMarket.code, auditMarket.stderr).to.equal(0);
    expect(auditMarket.stdout).to.contain("rounds 6, agents 10");
    expect(auditMarket.stdout).to.contain("No discrepancy");
    const auditEscrow = await hardhat(["audit", "--network", "e2e", "--escrow", escrow]);
    expect(auditEscrow.code, auditEscrow.stderr).to.equal(0);
    expect(auditEscrow.stdout).to.contain("final states: R-NC-NC 1, RfE-C-CF 1");

    const wrong = await hardhat([
      "audit",
      "--network",
      "e2e",
      "--escrow",
      "0x000000000000000000000000000000000000dEaD",
    ]);
    expect(wrong.code).to.equal(1);
    // One line says what is wrong (Hardhat adds a stack trace only on CI servers).
    expect(wrong.stderr).to.match(
      /Error in plugin clearhouse: audit: no contract at 0x000000000000000000000000000000000000dEaD on network "e2e"/,
    );

    process.kill(-node.pid!, "SIGTERM");
    await new Promise((r) => node!.once("exit", r));
    node = undefined;
    const dead = await hardhat(["audit", "--network", "e2e", "--market", market]);
    expect(dead.code).to.equal(1);
    expect(dead.stderr).to.contain(`Error in plugin clearhouse: cannot reach the node of network "e2e" at ${URL}`);
  });
});
