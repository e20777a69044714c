import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { DEFAULT_MARKET_SETTINGS, toParamsInput } from "../../src/clearing/model/settings";

const defaults = toParamsInput(DEFAULT_MARKET_SETTINGS);

/**
 * Deploys a ClearingMarket. Defaults (override with `--parameters`): native ETH, the market of
 * `DEFAULT_MARKET_SETTINGS` (the paper's Table 3 market, the adaptive rule with search step 0.005, about 1/L
 * for 100 agents drawn as in Table 3: compute 1/L for your population; the uniform rationing rule, `rationing`
 * 1, where 0 is the paper's pro-rata: docs/clearing.md says why), open membership; the deployer owns the market
 * and receives fees and revenue.
 */
export default buildModule("ClearingMarket", (m) => {
  const deployer = m.getAccount(0);
  const market = m.contract("ClearingMarket", [
    {
      asset: m.getParameter("asset", "0x0000000000000000000000000000000000000000"),
      owner: m.getParameter("owner", deployer),
      feeRecipient: m.getParameter("feeRecipient", deployer),
      revenueRecipient: m.getParameter("revenueRecipient", deployer),
      allowListOnly: m.getParameter("allowListOnly", false),
      params: {
        capacity: m.getParameter("capacity", defaults.capacity),
        tau: m.getParameter("tau", defaults.tau),
        fixedFee: m.getParameter("fixedFee", defaults.fixedFee),
        rule: m.getParameter("rule", defaults.rule),
        eta: m.getParameter("eta", defaults.eta),
        tolPrimal: m.getParameter("tolPrimal", defaults.tolPrimal),
        tolDual: m.getParameter("tolDual", defaults.tolDual),
        roundDuration: m.getParameter("roundDuration", defaults.roundDuration),
        rationing: m.getParameter("rationing", defaults.rationing),
      },
    },
  ]);
  return { market };
});
