/**
 * The demo's exchange section: four deals of one price on a deployed escrow, along the honest
 * path and dishonest ones, each offered by the seller's signature (the seller funds its escrow
 * balance first) and opened by the buyer, read back from the deal's slot and events, as a report
 * section.
 */
import { formatEther, type Signer, ZeroAddress } from "ethers";
import type { ExchangeEscrow } from "../../../typechain-types";
import type { ExperimentResult } from "../../report/types";
import { barChart } from "../../report/charts";
import { type DealOutcome, type DealPath, playDeal } from "../chain/playDeal";
import { EscrowClient } from "../parties/escrowClient";

/** The paths the demo plays, with what each says about the parties. */
export const DEMO_DEALS: [string, DealPath][] = [
  ["honest: high quality, redeemed, no complaint, no fault", { redeem: true, complain: false, fault: false }],
  ["low quality: refund requested, complaint, fault admitted", { redeem: false, complain: true, fault: true }],
  ["low quality redeemed anyway, complaint, fault admitted", { redeem: true, complain: true, fault: true }],
  ["buyer lies: redeemed high quality, then complains", { redeem: true, complain: true, fault: false }],
];

export interface DealRow {
  deal: string;
  state: string;
  price: number;
  sellerPayout: number;
  buyerPayout: number;
  burn: number;
  gas: number;
}

/** Plays `DEMO_DEALS` at `price` (native ETH); `onDeal` sees each outcome as it lands. */
export async function playDemoDeals(
  escrow: ExchangeEscrow,
  table: bigint,
  seller: Signer,
  buyer: Signer,
  opts: { price: bigint; networkName: string; onDeal?: (label: string, outcome: DealOutcome) => void },
): Promise<ExperimentResult> {
  const rows: DealRow[] = [];
  const termsOf = (expiry: bigint) => ({
    asset: ZeroAddress,
    price: opts.price,
    table,
    expiry,
    redeemWindow: 86400n,
    complaintWindow: 86400n,
    faultWindow: 86400n,
  });
  const eth = (x: bigint) => Number(formatEther(x));
  const address = await escrow.getAddress();
  const provider = seller.provider!;
  const [sellerDeposit] = await escrow.depositsFor(table, opts.price);
  // The seller funds its balance once for all four signed offers; each deal takes its deposit from it.
  await new EscrowClient(seller, address).deposit(sellerDeposit * BigInt(DEMO_DEALS.length));
  for (const [i, [label, path]] of DEMO_DEALS.entries()) {
    const now = BigInt((await provider.getBlock("latest"))!.timestamp);
    const o = await playDeal(address, { ...termsOf(now + 3600n), salt: BigInt(i + 1) }, seller, buyer, path);
    opts.onDeal?.(label, o);
    rows.push({
      deal: label,
      state: o.state,
      price: eth(opts.price),
      sellerPayout: eth(o.sellerPayout),
      buyerPayout: eth(o.buyerPayout),
      burn: eth(o.burn),
      gas: Number(o.gas),
    });
  }
  const long = rows.flatMap((r) =>
    (["sellerPayout", "buyerPayout", "burn"] as const).map((k) => ({ deal: r.state, part: k, amount: r[k] })),
  );
  return {
    key: "exchange",
    title: `Core exchange on chain (network "${opts.networkName}")`,
    description:
      `ExchangeEscrow ${address} with the designed default table ` +
      `(tables/core-exchange-protective.json); four deals of price ${eth(opts.price)} ETH along the ` +
      `honest path and dishonest ones, each offered by the seller's signature and opened by the buyer ` +
      `(acceptSigned), payouts read from the contract.`,
    tables: [{ name: "exchange-deals", rows: rows as unknown as Record<string, unknown>[] }],
    charts: [
      {
        name: "exchange-payouts",
        caption:
          "Payouts per final state (seller, buyer, burnt), in units of the price: " +
          "honest play pays the seller the price; on the dishonest paths the table pays the victim " +
          "or burns what it puts at stake.",
        spec: barChart({
          title: "payouts per deal",
          rows: long,
          group: "deal",
          y: "amount",
          yTitle: "ETH",
          series: "part",
        }),
      },
    ],
    comparisons: [],
  };
}
