/**
 * The commands of `ExchangeEscrow.property.test.ts`: what a random step may do, how it is drawn, and what a
 * "step" (whatever a deal waits for) stands for at each stage.
 */
import fc from "fast-check";
import { ethers, network } from "hardhat";
import { Interface } from "ethers";
import { type EscrowModel, EscrowError, Stage, partsOf } from "../../src/exchange/model/exchangeEscrow";
import { type Terms, escrowDomain, partiesOf } from "../../src/exchange/model/terms";
import { UNIT, deployEscrow, tableArg } from "./fixture";

export type Asset = "eth" | "token" | "feeToken";
export const ASSETS: Asset[] = ["eth", "token", "feeToken"];
/** Who calls: a party of the deal, the unrelated account, or whoever the call is for ("due"). */
export type Role = "seller" | "buyer" | "other" | "due";
/** A valid signature, a wrong signer's, one for a second escrow, one for another chain id. */
export type Sig = "valid" | "wrongSigner" | "otherEscrow" | "otherChain";
export const DEAL_KINDS = [
  "offer",
  "accept",
  "withdrawOffer",
  "cancelSigned",
  "requestRefund",
  "complain",
  "confirmQuality",
  "cancelOrFault",
  "finalize",
] as const;

/** New terms (a fresh salt): signed by the offerer off-chain, or offered on chain at once. */
export interface NewDeal {
  kind: "new";
  signed: boolean;
  /** Party indexes (0, 1: accounts; 2: the contract party); the buyer is `(seller + buyer) % 3`. */
  seller: number;
  buyer: number;
  sellerOffers: boolean;
  asset: Asset;
  price: bigint;
  withMin: boolean;
  windows: number[];
  /** Seconds from now; up to 1 is already expired when the next call is mined. */
  expiry: number;
  /**
   * The burn setting the terms agree to: the owner's latest, the one before it, or one not made yet
   * (a deal created under a setting it did not agree to burns to DEAD).
   */
  burnSetting: "latest" | "previous" | "next";
}
/** `deal` counts back from the latest terms drawn; `who` indexes the actors (4: the first burn recipient). */
export type Action =
  | NewDeal
  | { kind: (typeof DEAL_KINDS)[number]; deal: number; caller: Role }
  | { kind: "redeem"; deal: number; caller: Role; confirm: boolean }
  | { kind: "acceptSigned"; deal: number; caller: Role; sig: Sig }
  /** Deposits what the deal's offerer still needs (whoever calls), plus `extra`. */
  | { kind: "deposit"; deal: number; caller: Role; extra: bigint }
  /** Withdraws the whole balance, half of it, or one more than it. */
  | { kind: "withdraw"; who: number; asset: Asset; part: 0 | 1 | 2 }
  | { kind: "wait"; deal: number; offset: -1 | 0 | 1 | 500 }
  /** To 300 s before the largest 40-bit time (deadlines saturate). */
  | { kind: "farFuture" }
  /** The contract party refuses ETH and is blocked by the token (its pushed payouts are credited). */
  | { kind: "receiverMode"; reject: boolean }
  /** `to` indexes the actors (never the unrelated one; 6: the zero address). */
  | { kind: "setBurn"; to: number; byOwner: boolean }
  | { kind: "step"; deal: number; choice: boolean };

/** The minimum price of a second table (the default table's payouts otherwise); the prices drawn straddle it. */
export const MIN_PRICE = UNIT;
const role = fc.constantFrom<Role>("due", "due", "due", "seller", "buyer", "other");
const deal = fc.constantFrom(0, 0, 0, 1, 2, 3);
const asset = fc.constantFrom<Asset>("eth", "eth", "token", "token", "feeToken");
const rec = (weight: number, r: Record<string, fc.Arbitrary<unknown>>) => ({
  weight,
  arbitrary: fc.record(r) as unknown as fc.Arbitrary<Action>,
});
const window = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 20, arbitrary: fc.integer({ min: 1, max: 400 }) },
);
const newDeal: fc.Arbitrary<NewDeal> = fc.record({
  kind: fc.constant("new" as const),
  signed: fc.boolean(),
  seller: fc.integer({ min: 0, max: 2 }),
  buyer: fc.constantFrom(1, 1, 1, 2, 2, 0), // added to the seller's index: 0 makes an invalid deal
  sellerOffers: fc.boolean(),
  asset,
  price: fc.oneof(fc.bigInt({ min: 1n, max: 20n * UNIT }), fc.constantFrom(1n, 99n, MIN_PRICE - 1n, MIN_PRICE)),
  withMin: fc.boolean(),
  windows: fc.array(window, { minLength: 3, maxLength: 3 }),
  expiry: fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 2) },
    { weight: 8, arbitrary: fc.integer({ min: 300, max: 900 }) },
  ),
  burnSetting: fc.constantFrom<NewDeal["burnSetting"]>("latest", "latest", "latest", "previous", "next"),
});
export const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: newDeal },
  ...DEAL_KINDS.map((k) => rec(k === "accept" || k === "offer" ? 3 : 2, { kind: fc.constant(k), deal, caller: role })),
  rec(3, { kind: fc.constant("redeem"), deal, caller: role, confirm: fc.boolean() }),
  rec(6, {
    kind: fc.constant("acceptSigned"),
    deal,
    caller: role,
    sig: fc.constantFrom<Sig>("valid", "wrongSigner", "otherEscrow", "otherChain"),
  }),
  rec(3, { kind: fc.constant("deposit"), deal, caller: role, extra: fc.constantFrom(0n, 0n, 1n, UNIT) }),
  rec(2, { kind: fc.constant("withdraw"), who: fc.nat(4), asset, part: fc.constantFrom(0, 0, 1, 2) }),
  rec(3, { kind: fc.constant("wait"), deal, offset: fc.constantFrom(-1, 0, 1, 500) }),
  rec(1, { kind: fc.constant("farFuture") }),
  rec(4, { kind: fc.constant("receiverMode"), reject: fc.constantFrom(true, true, false) }),
  rec(3, {
    kind: fc.constant("setBurn"),
    to: fc.constantFrom(0, 1, 2, 0, 1, 2, 4, 5, 6),
    byOwner: fc.constantFrom(true, true, true, false),
  }),
  rec(20, { kind: fc.constant("step"), deal, choice: fc.boolean() }),
);

/** The party a call is for: the offerer offers, withdraws, cancels and funds; the counterparty accepts; ... */
export const dueOf = (kind: string, t: Terms): string =>
  ["offer", "withdrawOffer", "cancelSigned", "deposit"].includes(kind)
    ? partiesOf(t).offerer
    : ["accept", "acceptSigned"].includes(kind)
      ? partiesOf(t).counterparty
      : kind === "cancelOrFault" || kind === "finalize"
        ? t.seller
        : t.buyer;

/**
 * What a "step" on terms `t` (`deal` back from the latest) stands for: whatever it waits for, by the party it
 * waits for (a signed offer: the offerer's deposit, then its acceptance, each tried first without the deposit or
 * with a bad signature when `choice`; a final deal: a party's withdrawal).
 */
let badSignatures = 0;
export function stepAction(
  model: EscrowModel,
  e: { terms: Terms; id: string; signed: boolean; asset: Asset },
  deal: number,
  choice: boolean,
  addresses: string[],
): Action | undefined {
  const t = e.terms;
  switch (model.slot(e.id).stage) {
    case Stage.None: {
      if (!e.signed) return undefined;
      const needed = partsOf(model.tables.get(t.table)!, t).offerer;
      if (model.balanceOf(partiesOf(t).offerer, t.asset) < needed) {
        return choice
          ? { kind: "acceptSigned", deal, caller: "due", sig: "valid" }
          : { kind: "deposit", deal, caller: "due", extra: 0n };
      }
      const bad = (["wrongSigner", "otherEscrow", "otherChain"] as const)[badSignatures++ % 3];
      return { kind: "acceptSigned", deal, caller: "due", sig: choice ? bad : "valid" };
    }
    case Stage.Offered:
      return { kind: "accept", deal, caller: "due" };
    case Stage.Redeem:
      return choice
        ? { kind: "redeem", deal, caller: "due", confirm: deal % 2 === 0 }
        : { kind: "requestRefund", deal, caller: "due" };
    case Stage.Complaint:
      return { kind: choice ? "complain" : "confirmQuality", deal, caller: "due" };
    case Stage.Fault:
      return { kind: choice ? "cancelOrFault" : "finalize", deal, caller: "due" };
    default:
      return { kind: "withdraw", who: addresses.indexOf(choice ? t.seller : t.buyer), asset: e.asset, part: 0 };
  }
}

/** "Name(arg,...)" with addresses in lower case and numbers as bigints, for the contract and the model alike. */
export const show = (name: string, args: readonly unknown[]): string =>
  `${name}(${args.map((a) => (typeof a === "string" ? a.toLowerCase() : typeof a === "number" ? BigInt(a) : a)).join(",")})`;

/** The fee token keeps 1 % (rounded down) of a transfer. */
export const feeOf = (amount: bigint): bigint => (amount * 100n) / 10_000n;

/** The model's outcome of `apply`: its custom error as `show` writes it, or undefined. */
export const modelOutcome = (apply: () => unknown): string | undefined => {
  try {
    apply();
    return undefined;
  } catch (e) {
    if (e instanceof EscrowError) return show(e.errorName, e.args);
    throw e;
  }
};

/**
 * The deployment: the escrow with the default table and one with a minimum price, a second escrow (another
 * signing domain), the contract party, a token that can block it and a fee-on-transfer token, all funded.
 */
export async function deployEnvironment() {
  const f = await deployEscrow();
  const { escrow, table, tableNumber } = f;
  const minTable = { ...table, minPrice: MIN_PRICE };
  const minTableNumber = await escrow.registerTable.staticCall(tableArg(minTable));
  await escrow.registerTable(tableArg(minTable));
  const escrowAddress = await escrow.getAddress();
  const factory = await ethers.getContractFactory("ExchangeEscrow");
  const escrow2 = await factory.deploy(f.owner.address, f.burn.address);
  const domain2 = escrowDomain(BigInt(f.domain.chainId!), await escrow2.getAddress());
  const otherChain = { ...f.domain, chainId: BigInt(f.domain.chainId!) + 1n };
  const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
  const receiverAddress = await receiver.getAddress();
  const token = await (await ethers.getContractFactory("BlocklistERC20")).deploy();
  const feeToken = await (await ethers.getContractFactory("FeeOnTransferERC20")).deploy(100);
  const errors = new Interface(
    [...escrow.interface.fragments, ...token.interface.fragments].filter((x) => x.type === "error"),
  );
  /** The actors: 0, 1 accounts; 2 the contract party; 3 an unrelated account; 4 the first burn recipient; 5 the owner. */
  const signers = [f.seller, f.buyer, undefined, f.other, f.burn, f.owner];
  const addresses = [
    f.seller.address,
    f.buyer.address,
    receiverAddress,
    f.other.address,
    f.burn.address,
    f.owner.address,
  ];
  const assets: Record<Asset, string> = {
    eth: ethers.ZeroAddress,
    token: await token.getAddress(),
    feeToken: await feeToken.getAddress(),
  };
  for (const t of [token, feeToken]) {
    for (const a of signers) {
      if (!a) continue;
      await t.mint(a.address, 10n ** 30n);
      await t.connect(a).approve(escrowAddress, ethers.MaxUint256);
    }
    await t.mint(receiverAddress, 10n ** 30n);
    const approve = t.interface.encodeFunctionData("approve", [escrowAddress, ethers.MaxUint256]);
    await receiver.execute(await t.getAddress(), 0n, approve);
  }
  const balanceOf = async (a: Asset) =>
    a === "eth"
      ? ethers.provider.getBalance(escrowAddress)
      : (a === "token" ? token : feeToken).balanceOf(escrowAddress);
  /** Sends `data` to the escrow from party `who` (the contract party forwards it) at `clock`; the error if any. */
  const callAt = async (clock: bigint, who: number, data: string, value = 0n): Promise<string | undefined> => {
    await network.provider.send("evm_setNextBlockTimestamp", [Number(clock)]);
    const o = { gasLimit: 3_000_000 };
    try {
      const s = signers[who];
      const tx = s
        ? await s.sendTransaction({ to: escrowAddress, data, value, ...o })
        : await receiver.execute(escrowAddress, value, data, { ...o, value });
      await tx.wait();
      return undefined;
    } catch (e) {
      const raw = (e as { data?: string }).data;
      if (!raw) throw e;
      const parsed = errors.parseError(raw);
      return parsed ? show(parsed.name, [...parsed.args]) : `unknown revert ${raw}`;
    }
  };
  return {
    ...{ f, escrow, table, tableNumber, minTable, minTableNumber, escrowAddress, domain2, otherChain },
    ...{ receiver, receiverAddress, token, feeToken, errors, signers, addresses, assets, balanceOf, callAt },
  };
}

const fresh = (over: Partial<NewDeal> = {}): NewDeal => ({
  ...{ kind: "new", signed: false, seller: 0, buyer: 1, sellerOffers: true, asset: "eth", price: 10n * UNIT },
  ...{ withMin: false, windows: [400, 400, 400], expiry: 600, burnSetting: "latest", ...over },
});
const on = (kind: (typeof DEAL_KINDS)[number], caller: Role = "due"): Action => ({ kind, deal: 0, caller });
const signed = (sig: Sig): Action => ({ kind: "acceptSigned", deal: 0, caller: "due", sig });
/**
 * A scripted run through every path the random runs must not miss by chance: burns to DEAD (the recipient set
 * to the seller), refused pushes credited (ETH and token refunds), every signature case, replays, cancels,
 * the minimum price, fee tokens, expiry, every message, and deadlines saturating at the end of 40-bit time.
 */
export const SCRIPT: Action[] = [
  // An open deal whose seller becomes the burn recipient: it still burns to the recipient of its creation.
  ...[fresh({ windows: [4000, 4000, 4000] }), on("accept"), { kind: "setBurn", to: 0, byOwner: true }],
  ...[fresh(), on("accept"), on("requestRefund"), on("complain"), on("cancelOrFault")],
  ...[fresh(), on("accept"), { kind: "redeem", deal: 0, caller: "due", confirm: false }, on("confirmQuality")],
  ...[on("finalize"), { kind: "setBurn", to: 4, byOwner: false }, { kind: "setBurn", to: 5, byOwner: true }],
  ...[{ kind: "receiverMode", reject: true }, fresh({ seller: 1, sellerOffers: false }), on("withdrawOffer")],
  ...[
    { kind: "withdraw", who: 2, asset: "eth", part: 0 },
    { kind: "receiverMode", reject: false },
  ],
  ...[fresh({ signed: true, sellerOffers: false, asset: "token" }), signed("valid"), signed("wrongSigner")],
  ...[signed("otherEscrow"), signed("otherChain"), { kind: "deposit", deal: 0, caller: "due", extra: 0n }],
  ...[signed("valid"), signed("valid"), fresh({ signed: true }), on("cancelSigned"), on("offer"), signed("valid")],
  ...[
    { kind: "withdraw", who: 0, asset: "eth", part: 2 },
    { kind: "withdraw", who: 0, asset: "eth", part: 1 },
  ],
  ...[fresh({ withMin: true, price: 1n }), fresh({ asset: "feeToken", sellerOffers: false })],
  ...[fresh({ windows: [0, 1, 1] }), fresh({ expiry: 300 }), { kind: "wait", deal: 0, offset: 0 }, on("accept")],
  ...[fresh({ seller: 1, sellerOffers: false, asset: "token" }), { kind: "receiverMode", reject: true }],
  ...[on("withdrawOffer"), fresh({ buyer: 2 }), on("accept"), { kind: "farFuture" }, on("finalize", "other")],
  ...[fresh(), on("accept")],
  // A signed offer agreeing to a setting not in force when it opens: its remainder burns for real.
  ...[
    fresh({ signed: true, burnSetting: "next", windows: [1, 1, 1] }),
    { kind: "deposit", deal: 0, caller: "due", extra: 0n },
  ],
  ...[signed("valid"), { kind: "wait", deal: 0, offset: 500 }, on("finalize", "other")],
] as Action[];

/** The outcomes (`kind:error`, `kind sig:error`) and events the test must reach; `SCRIPT` reaches them all. */
export const MUST_REACH = [
  ...["offer:ok", "offer:PriceBelowMinimum", "offer:TokenDeliveredLess", "accept:ok", "accept:OfferExpired"],
  ...["acceptSigned valid:ok", "acceptSigned valid:DealExists", "acceptSigned valid:InsufficientBalance"],
  ...["acceptSigned wrongSigner:InvalidSignature", "acceptSigned otherEscrow:InvalidSignature"],
  ...["acceptSigned otherChain:InvalidSignature", "cancelSigned:ok", "withdrawOffer:ok", "deposit:ok"],
  ...["redeem:ok", "requestRefund:ok", "complain:ok", "confirmQuality:ok", "cancelOrFault:ok", "finalize:ok"],
  ...[
    "withdraw:ok",
    "withdraw:InsufficientBalance",
    "withdraw:NativeTransferFailed",
    "setBurn:ok",
    "setBurn:OwnableUnauthorizedAccount",
  ],
  ...["transfer refused eth", "transfer refused token", "burn to DEAD", "burn to DEAD: setting not agreed"],
  "deadline saturated",
];
