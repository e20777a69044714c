/**
 * Every gas figure of the benchmark, both contracts, as one flat object sorted by key
 * (`ClearingMarket.closeRound.adaptive.uniform.n10`, `ExchangeEscrow.honestTrade.signed`, ...). The same object
 * goes into bench/results.json and the gas snapshot.
 */
import type { ChainEnv } from "../hardhat/adapter";
import { measureClearingGas } from "./clearingGas";
import { measureEscrowGas } from "./escrowGas";
import { type GasProfile, profileTransaction } from "./gasProfile";
import { sortedByKey } from "./results";
import { rationingNames, stepRuleNames } from "../clearing/model/settings";

/** Agent counts of the market's gas table (the N). */
export const GAS_AGENTS = [10, 100, 1000] as const;

/** The closes measured at n = 10 beside the default (rounds paid ahead, the keeper's hint), by key suffix. */
const VARIANTS = [
  ["unpaid", { prepaid: false }],
  ["unhinted", { hinted: false }],
] as const;

/**
 * closeRound (first and typical round) under each price rule and rationing rule at every N of {@link GAS_AGENTS},
 * repeated submitDemand per rationing rule and N (from the adaptive runs), every other ClearingMarket call from the
 * adaptive n = 10 runs (suffixed `.uniform` under the uniform rule), every ExchangeEscrow call. The market's runs
 * pay ahead for their rounds' storage (`prefillRounds`) and close with the keeper's hint, as a deployment should;
 * the n = 10 runs again without either give `...n10[.first].unpaid` and `...n10[.first].unhinted`. `log` receives one
 * line per step. `profiles`: where the gas of the adaptive n = 10 runs' typical close and repeated submission goes,
 * under each rationing rule, by the same keys (empty on a node that does not trace transactions).
 */
export async function measureGas(
  env: ChainEnv,
  log: (line: string) => void = () => {},
): Promise<{ gas: Record<string, number>; profiles: Record<string, GasProfile> }> {
  const gas: Record<string, number> = {};
  const profiles: Record<string, GasProfile> = {};
  for (const rationing of rationingNames) {
    for (const rule of stepRuleNames) {
      for (const n of GAS_AGENTS) {
        log(`gas: ${rule} rule, ${rationing} rationing, n = ${n} agents`);
        const { gas: g, transactions } = await measureClearingGas(env, n, rule, rationing);
        const closeKey = `ClearingMarket.closeRound.${rule}.${rationing}.n${n}`;
        gas[closeKey] = g.closeRound;
        gas[`${closeKey}.first`] = g["closeRound.first"];
        for (const [variant, options] of n === 10 ? VARIANTS : []) {
          log(`gas: ${rule} rule, ${rationing} rationing, n = ${n} agents, ${variant}`);
          const { gas: other } = await measureClearingGas(env, n, rule, rationing, options);
          gas[`${closeKey}.${variant}`] = other.closeRound;
          gas[`${closeKey}.first.${variant}`] = other["closeRound.first"];
        }
        if (rule !== "adaptive") continue;
        const submitKey = `ClearingMarket.submitDemand.repeated.${rationing}.n${n}`;
        gas[submitKey] = g["submitDemand.repeated"];
        if (n !== 10) continue;
        const profiled = { [closeKey]: transactions.closeRound, [submitKey]: transactions["submitDemand.repeated"] };
        for (const [key, hash] of Object.entries(profiled)) {
          const profile = await profileTransaction(env.provider, hash);
          if (profile) profiles[key] = profile;
        }
        for (const [call, used] of Object.entries(g)) {
          if (call.startsWith("closeRound") || call === "submitDemand.repeated") continue;
          if (rationing === "pro-rata") gas[`ClearingMarket.${call}`] = used;
          else if (call.startsWith("submitDemand") || call === "settle" || call === "leave") {
            gas[`ClearingMarket.${call}.uniform`] = used;
          }
        }
      }
    }
  }
  log("gas: ExchangeEscrow");
  for (const [call, used] of Object.entries(await measureEscrowGas(env))) gas[`ExchangeEscrow.${call}`] = used;
  return { gas: sortedByKey(gas), profiles: sortedByKey(profiles) };
}
