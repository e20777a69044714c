/**
 * Every gas figure of the benchmark, both contracts, as one flat object sorted by key
 * (`ClearingMarket.closeRound.adaptive.n10`, `ExchangeEscrow.honestTrade.signed`, ...). The same object
 * goes into bench/results.json and the gas snapshot.
 */
import type { ChainEnv } from "../hardhat/adapter";
import { measureClearingGas } from "./clearingGas";
import { measureEscrowGas } from "./escrowGas";
import { sortedByKey } from "./results";

/**
 * closeRound under each price rule at n = 10 and n = 200 agents, every other ClearingMarket call
 * from the adaptive n = 10 run, every ExchangeEscrow call. `log` receives one line per step.
 */
export async function measureGas(
  env: ChainEnv,
  log: (line: string) => void = () => {},
): Promise<Record<string, number>> {
  const gas: Record<string, number> = {};
  for (const rule of ["constant", "diminishing", "adaptive"] as const) {
    for (const n of [10, 200]) {
      log(`gas: ${rule} rule, n = ${n} agents`);
      const g = await measureClearingGas(env, n, rule);
      gas[`ClearingMarket.closeRound.${rule}.n${n}`] = g.closeRound;
      if (rule === "adaptive" && n === 10) {
        for (const [call, used] of Object.entries(g)) {
          if (call !== "closeRound") gas[`ClearingMarket.${call}`] = used;
        }
      }
    }
  }
  log("gas: ExchangeEscrow");
  for (const [call, used] of Object.entries(await measureEscrowGas(env))) gas[`ExchangeEscrow.${call}`] = used;
  return sortedByKey(gas);
}
