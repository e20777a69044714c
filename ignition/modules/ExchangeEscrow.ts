import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import defaultTable from "../../tables/core-exchange-min-deposits.json";

/**
 * Deploys an ExchangeEscrow and registers the default core-exchange payout table
 * (tables/core-exchange-min-deposits.json: the designer's min-deposits table for
 * games/core-exchange.json with delta 0.01; regenerate it with `npx hardhat exchange:design`).
 * Parameters: `owner` and `burnRecipient` (default: the deployer).
 */
export default buildModule("ExchangeEscrow", (m) => {
  const deployer = m.getAccount(0);
  const escrow = m.contract("ExchangeEscrow", [
    m.getParameter("owner", deployer),
    m.getParameter("burnRecipient", deployer),
  ]);
  const chain = defaultTable.chain;
  m.call(escrow, "registerTable", [
    {
      sellerDeposit: BigInt(chain.sellerDeposit),
      buyerDeposit: BigInt(chain.buyerDeposit),
      seller: chain.seller.map(BigInt),
      buyer: chain.buyer.map(BigInt),
      minPrice: BigInt(chain.minPrice),
    },
  ]);
  return { escrow };
});
