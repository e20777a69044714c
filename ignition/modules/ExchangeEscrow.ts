import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { DEFAULT_PAYOUT_TABLE } from "../../src/exchange/model/defaultTable";

/**
 * Deploys an ExchangeEscrow and registers the default core-exchange payout table
 * (tables/core-exchange-protective.json: the designer's "protective" profile of
 * games/core-exchange.json with delta 0.01, its smallest safe price as `minPrice`; `npm run design`
 * re-derives it). Parameters: `owner` and `burnRecipient` (default: the deployer).
 */
export default buildModule("ExchangeEscrow", (m) => {
  const deployer = m.getAccount(0);
  const escrow = m.contract("ExchangeEscrow", [
    m.getParameter("owner", deployer),
    m.getParameter("burnRecipient", deployer),
  ]);
  m.call(escrow, "registerTable", [{ ...DEFAULT_PAYOUT_TABLE }]);
  return { escrow };
});
