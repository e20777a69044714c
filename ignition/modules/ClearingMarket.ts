import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { UNIT } from "../../src/common/fixed";

/**
 * Deploys a ClearingMarket. Defaults (override with `--parameters`): native ETH, the paper's
 * Table 3 market (m = 100 units, tau = 0.5, g = 1), the adaptive price rule with search step
 * eta = 0.005 (about 1/L for 100 agents drawn as in Table 3; compute 1/L for your population),
 * tolerances 1e-4 units and 1e-6 per unit, 5-minute rounds, the uniform rationing rule (`rationing` 1;
 * 0 is the paper's pro-rata; docs/clearing.md says why), open membership; the deployer owns
 * the market and receives fees and revenue.
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
        capacity: m.getParameter("capacity", 100n * UNIT),
        tau: m.getParameter("tau", UNIT / 2n),
        fixedFee: m.getParameter("fixedFee", UNIT),
        rule: m.getParameter("rule", 2),
        eta: m.getParameter("eta", 5n * 10n ** 15n),
        tolPrimal: m.getParameter("tolPrimal", 10n ** 14n),
        tolDual: m.getParameter("tolDual", 10n ** 12n),
        roundDuration: m.getParameter("roundDuration", 300n),
        rationing: m.getParameter("rationing", 1),
      },
    },
  ]);
  return { market };
});
