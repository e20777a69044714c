/**
 * The demo's exchange section: four deals of one price on a deployed escrow, along the honest
 * path and dishonest ones, each read back from the contract's events, as a report section.
 */
import { formatEther, type Signer, ZeroAddress } from "ethers";
import type { ExchangeEscrow } from "../../../typechain-types";
import type { ExperimentResult } from "../../report/types";
import { barChart } from "../../report/charts";
import { type DealOutcome, type DealPath, playDeal } from "../chain/playDeal";

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
  tableId: string,
  seller: Signer,
  buyer: Signer,
  opts: { price: bigint; networkName: string; onDeal?: (label: string, outcome: DealOutcome) => void },
): Promise<ExperimentResult> {
  const rows: DealRow[] = [];
  const eth = (x: bigint) => Number(formatEther(x));
  const terms = {
    asset: ZeroAddress,
    price: opts.price,
    tableId,
    acceptWindow: 3600n,
    redeemWindow: 86400n,
    complaintWindow: 86400n,
    faultWindow: 86400n,
    sellerOffers: true,
  };
  for (const [label, path] of DEMO_DEALS) {
    const o = await playDeal(escrow, terms, seller, buyer, path);
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
      `ExchangeEscrow ${await escrow.getAddress()} with the designed default table ` +
      `(tables/core-exchange-protective.json); four deals of price ${eth(opts.price)} ETH along the ` +
      `honest path and dishonest ones, payouts read from the contract's events.`,
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
