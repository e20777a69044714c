/**
 * Gas of every ExchangeEscrow call, sent through the parties library (`src/exchange/parties`) as a
 * party would, and of one honest trade along each opening path, on the in-process network:
 *
 * - `honestTrade.signed`: the seller signs the terms (its escrow balance funded once beforehand,
 *   not counted), the buyer opens them with `acceptSigned`, redeems with quality confirmed, and the
 *   seller ends its fault window with `finalize`, which pays both: 3 transactions.
 * - `honestTrade.onChain`: `offer`, `accept`, `redeem` with
 *   quality confirmed, `finalize`: 4 transactions.
 *
 * Native ETH, the shipped default table (`defaultTable.ts`), offers that have not expired.
 */
import { parseEther, type TransactionReceipt, ZeroAddress } from "ethers";
import type { ChainEnv } from "../hardhat/adapter";
import { DEFAULT_PAYOUT_TABLE } from "../exchange/model/defaultTable";
import type { Terms } from "../exchange/model/terms";
import { EscrowClient } from "../exchange/parties/escrowClient";

const DAY = 86400n;

const gasOf = async (receipt: Promise<TransactionReceipt>): Promise<number> => Number((await receipt).gasUsed);

export async function measureEscrowGas(env: ChainEnv): Promise<Record<string, number>> {
  const [owner, seller, buyer] = env.signers;
  const { escrow, table } = await env.deployEscrow();
  const address = await escrow.getAddress();
  const asOwner = new EscrowClient(owner, address);
  const asSeller = asOwner.connect(seller);
  const asBuyer = asOwner.connect(buyer);
  let salt = 0n;
  /** Distinct terms per deal (a new salt), as in real use; the offer is open for a day. */
  const terms = async (sellerOffers = true): Promise<Terms> => ({
    seller: seller.address,
    buyer: buyer.address,
    asset: ZeroAddress,
    price: parseEther("1"),
    table,
    expiry: BigInt((await env.provider.getBlock("latest"))!.timestamp) + DAY,
    redeemWindow: DAY,
    complaintWindow: DAY,
    faultWindow: DAY,
    sellerOffers,
    salt: ++salt,
    burnSetting: 0n, // the deployment's own setting (the owner never changes it here)
    fromWallet: false,
  });
  const opened = async (signed: boolean): Promise<Terms> => {
    const d = await terms();
    if (signed) await asBuyer.openSigned(await asSeller.signOffer(d));
    else {
      await asSeller.offer(d);
      await asBuyer.accept(d);
    }
    return d;
  };

  const gas: Record<string, number> = {};
  const t = DEFAULT_PAYOUT_TABLE;
  // A table not registered yet (the default one is, by the Ignition module).
  const register = await escrow.connect(owner).registerTable({ ...t, sellerDeposit: t.sellerDeposit + 1n });
  gas.registerTable = Number((await register.wait())!.gasUsed);

  // The seller's balance, funded once for the four signed deals below and one more (so that no
  // measured call empties it): a first deposit into an empty balance; a withdrawal of part of it.
  const { offerer: sellerPart } = await asSeller.amounts(await terms());
  gas.deposit = await gasOf(asSeller.deposit(sellerPart * 6n));
  gas.withdraw = await gasOf(asSeller.withdraw(sellerPart));

  // A first deal of each kind warms the slots a live deployment has warm (the burn destination's
  // balance, the seller's and buyer's accounts); then the measured trades.
  for (const measured of [false, true]) {
    const d = await terms();
    const offer = await asSeller.signOffer(d);
    const g = {
      acceptSigned: await gasOf(asBuyer.openSigned(offer)),
      redeem: await gasOf(asBuyer.redeem(d, true)),
      finalize: await gasOf(asSeller.finalize(d)),
    };
    if (!measured) continue;
    Object.assign(gas, g);
    gas["honestTrade.signed"] = g.acceptSigned + g.redeem + g.finalize;
    gas["honestTrade.signed.transactions"] = Object.keys(g).length;
  }
  {
    const d = await terms();
    const g = {
      offer: await gasOf(asSeller.offer(d)),
      accept: await gasOf(asBuyer.accept(d)),
      redeem: await gasOf(asBuyer.redeem(d, true)),
      finalize: await gasOf(asSeller.finalize(d)),
    };
    gas.offer = g.offer;
    gas.accept = g.accept;
    gas["honestTrade.onChain"] = Object.values(g).reduce((a, b) => a + b, 0);
    gas["honestTrade.onChain.transactions"] = Object.keys(g).length;
  }
  // An offer by the buyer (deposit plus price in), and offers taken back.
  gas["offer.byBuyer"] = await gasOf(asBuyer.offer(await terms(false)));
  const withdrawn = await terms();
  await asSeller.offer(withdrawn);
  gas.withdrawOffer = await gasOf(asSeller.withdrawOffer(withdrawn));
  gas.cancelSigned = await gasOf(asSeller.cancelSigned(await terms()));

  // The buyer's other messages, and the seller's admission, on a dishonest path: refund requested,
  // complaint, fault admitted (RfE-C-CF).
  const dishonest = await opened(true);
  gas.requestRefund = await gasOf(asBuyer.requestRefund(dishonest));
  gas.complain = await gasOf(asBuyer.complain(dishonest));
  gas.cancelOrFault = await gasOf(asSeller.admitFault(dishonest));
  const redeemed = await opened(true);
  gas["redeem.withoutConfirm"] = await gasOf(asBuyer.redeem(redeemed));
  gas.confirmQuality = await gasOf(asBuyer.confirmQuality(redeemed));
  // Everyone silent: anyone finalizes once the last deadline passed, closing the three windows.
  const silent = await opened(false);
  await env.provider.send("evm_increaseTime", [Number(3n * DAY)]);
  gas["finalize.afterDeadlines"] = await gasOf(asOwner.finalize(silent));
  return gas;
}
