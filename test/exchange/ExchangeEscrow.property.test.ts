import { expect } from "chai";
import fc from "fast-check";
import { REACH_MIN_RUNS, fuzzSettings } from "../fuzz";
import { ethers, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  BUYER_PAID,
  EscrowModel,
  EscrowError,
  SELLER_PAID,
  Stage,
  type Terms,
} from "../../src/exchange/model/exchangeEscrow";
import { deployEscrow, tableArg, UNIT } from "./fixture";
import { latestTimestamp, modelStep, txAt, type TxOutcome } from "../harness";
import { toJson } from "../../src/common/json";

/**
 * Model-based test (fast-check commands): random sequences of up to 32 calls over many deals at
 * once, with time jumps to deadline -1/0/+1, against one deployment and the exact model.
 * After every command: per asset, the contract's balance equals what it owes (unpaid pots plus
 * unwithdrawn burn), and every deal's stage, messages and deadline equal the model's. The
 * parties include a contract buyer that re-enters `withdraw` from its receive hook or rejects
 * ETH; one token takes a fee on transfer (its deals must be refused); a second table has a minimum
 * price (offers below it must be refused). An unrelated account's calls move no money and, except
 * the time-driven `finalize`, are refused. Every run ends past every deadline by moving each deal
 * to its end (liveness: the offerer withdraws an open offer, anyone finalizes the rest) and paying
 * everyone: afterwards the contract holds nothing (no lock-up).
 */
const FUZZ = fuzzSettings(256);
const RUNS = FUZZ.numRuns;

type Asset = "eth" | "token" | "feeToken";

/** The model side of a run; the deployment is reached through closures. */
interface World {
  model: EscrowModel;
  /** Each deal's terms by id (calls pass them back). */
  terms: Map<number, Terms>;
  /** How the contract party's receive hook behaves. */
  mode: { reject: boolean; reenter: boolean };
  /** Timestamp of the last mined call; the next one is mined one second later. */
  clock: bigint;
}
type Action =
  | {
      kind: "offer";
      seller: number;
      buyer: number;
      sellerOffers: boolean;
      asset: Asset;
      price: bigint;
      /** Under the table with a minimum price (MIN_PRICE), else under the default one (no minimum). */
      withMin: boolean;
      windows: number[];
    }
  | {
      kind: "accept" | "withdrawOffer" | "requestRefund" | "complain" | "confirmQuality" | "cancelOrFault";
      deal: number;
      caller: Role;
    }
  | { kind: "redeem"; deal: number; caller: Role; confirm: boolean }
  | { kind: "finalize" | "withdraw"; deal: number; caller: Role }
  | { kind: "withdrawBurn"; asset: Asset; caller: number }
  | { kind: "wait"; deal: number; offset: -1 | 0 | 1 | 500 }
  | { kind: "receiverMode"; reject: boolean; reenter: boolean }
  /** Whatever the deal's stage waits for, by the party it waits for (one of two choices). */
  | { kind: "step"; deal: number; choice: boolean };

// Parties: 0 and 1 are accounts, 2 is the contract party, 3 an unrelated account. Calls on a
// deal come from its seller, its buyer or the unrelated account; deals are picked among the
// latest few so that most calls reach a live deal.
// "due" is whoever the deal's stage waits for (the counterparty of an offer, the buyer in its
// windows, the seller in the fault window), so that deep paths are reached often.
type Role = "seller" | "buyer" | "other" | "due";
/** The minimum price of a second table (the default table's payouts otherwise); the prices drawn straddle it. */
const MIN_PRICE = UNIT;
const party = fc.constantFrom<Role>("due", "due", "due", "seller", "buyer", "other");
const deal = fc.constantFrom(0, 0, 0, 1, 2, 3);
const asset = fc.constantFrom<Asset>("eth", "eth", "token", "feeToken");
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("offer" as const),
      seller: fc.integer({ min: 0, max: 2 }),
      buyer: fc.constantFrom(1, 1, 2, 0), // added to the seller's index: 0 makes an invalid deal
      sellerOffers: fc.boolean(),
      asset,
      price: fc.oneof(fc.bigInt({ min: 1n, max: 20n * UNIT }), fc.constantFrom(1n, 99n, MIN_PRICE - 1n, MIN_PRICE)),
      withMin: fc.boolean(),
      windows: fc.array(fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 60, max: 400 })), {
        minLength: 4,
        maxLength: 4,
      }),
    }),
  },
  ...(
    [
      "accept",
      "withdrawOffer",
      "requestRefund",
      "complain",
      "confirmQuality",
      "cancelOrFault",
      "finalize",
      "withdraw",
    ] as const
  ).map((kind) => ({
    weight: kind === "accept" || kind === "withdraw" ? 4 : 2,
    arbitrary: fc.record({ kind: fc.constant(kind), deal, caller: party }) as fc.Arbitrary<Action>,
  })),
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("redeem" as const), deal, caller: party, confirm: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("withdrawBurn" as const), asset, caller: fc.constantFrom(-1, 0) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("wait" as const),
      deal,
      offset: fc.constantFrom(-1 as const, 0 as const, 1 as const, 500 as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("receiverMode" as const), reject: fc.boolean(), reenter: fc.boolean() }),
  },
  { weight: 16, arbitrary: fc.record({ kind: fc.constant("step" as const), deal, choice: fc.boolean() }) },
);

/** The concrete call a "step" stands for at the deal's stage. */
function stepAction(stage: Stage, deal: number, choice: boolean): Action | undefined {
  switch (stage) {
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
    case Stage.Final:
      return { kind: "withdraw", deal, caller: choice ? "seller" : "buyer" };
    default:
      return undefined;
  }
}

/** The fee token keeps 1 % (rounded down) of a transfer: tiny transfers arrive whole. */
const takesFee = (amount: bigint) => (amount * 100n) / 10_000n > 0n;

describe("ExchangeEscrow: model-based commands over many deals against the exact model", function () {
  it(`balance per asset == what it owes, deals == model (${RUNS} runs)`, async function () {
    // Deep runs (npm run fuzz:deep) take about a second each on a slow machine.
    this.timeout(Math.max(300_000, RUNS * 2_000));
    const f = await deployEscrow();
    const { escrow, burn, table, tableId } = f;
    // The same payouts with a minimum price: offers under it below MIN_PRICE are refused.
    const minTable = { ...table, minPrice: MIN_PRICE };
    const minTableId = await escrow.registerTable.staticCall(tableArg(minTable));
    await escrow.registerTable(tableArg(minTable));
    const escrowAddress = await escrow.getAddress();
    const receiver = await (await ethers.getContractFactory("ReentrantReceiver")).deploy();
    const receiverAddress = await receiver.getAddress();
    const token = await (await ethers.getContractFactory("MockERC20")).deploy("T", "T", 18);
    const feeToken = await (await ethers.getContractFactory("FeeOnTransferERC20")).deploy(100);
    const accounts: HardhatEthersSigner[] = [f.seller, f.buyer];
    const addresses = [f.seller.address, f.buyer.address, receiverAddress, f.other.address];
    const assets: Record<Asset, string> = {
      eth: ethers.ZeroAddress,
      token: await token.getAddress(),
      feeToken: await feeToken.getAddress(),
    };
    for (const t of [token, feeToken]) {
      for (const a of [...accounts, f.other]) {
        await t.mint(a.address, 10n ** 30n);
        await t.connect(a).approve(escrowAddress, ethers.MaxUint256);
      }
      await t.mint(receiverAddress, 10n ** 30n);
      await receiver.execute(
        await t.getAddress(),
        0n,
        t.interface.encodeFunctionData("approve", [escrowAddress, ethers.MaxUint256]),
      );
    }
    const balanceOf = async (a: Asset) =>
      a === "eth"
        ? ethers.provider.getBalance(escrowAddress)
        : (a === "token" ? token : feeToken).balanceOf(escrowAddress);
    let snapshot: string = await network.provider.send("evm_snapshot");
    const reached: Record<string, number> = {};

    /** Sends `data` to the escrow from party `who` (the contract party forwards it). */
    const send = (who: number, data: string, value: bigint) => (o: { gasLimit: number }) =>
      who === 2
        ? receiver.execute(escrowAddress, value, data, { ...o, value })
        : (who === 3 ? f.other : accounts[who]).sendTransaction({ to: escrowAddress, data, value, ...o });

    /** One call (or a wait), to the contract and the model alike; then every invariant. */
    const step = async (world: World, generated: Action): Promise<void> => {
      let { model, clock } = world;
      const { terms, mode } = world;
      try {
        let act = generated;
        if (act.kind === "step") {
          const d = model.deals.get(model.dealCount - BigInt(act.deal));
          const concrete = d && stepAction(d.stage, act.deal, act.choice);
          if (!concrete) return;
          act = concrete;
        }
        clock += 1n;
        const owedBefore = Object.values(assets).map((a) => model.owed(a));
        let outcome: TxOutcome;
        let expected: string | undefined;
        const iface = escrow.interface;
        switch (act.kind) {
          case "offer": {
            const t: Terms = {
              seller: addresses[act.seller],
              buyer: addresses[(act.seller + act.buyer) % 3],
              asset: assets[act.asset],
              price: act.price,
              tableId: act.withMin ? minTableId : tableId,
              acceptWindow: BigInt(act.windows[0]),
              redeemWindow: BigInt(act.windows[1]),
              complaintWindow: BigInt(act.windows[2]),
              faultWindow: BigInt(act.windows[3]),
              sellerOffers: act.sellerOffers,
            };
            const offerer = act.sellerOffers ? act.seller : (act.seller + act.buyer) % 3;
            const dep = {
              s: (table.sellerDeposit * t.price + UNIT - 1n) / UNIT,
              b: (table.buyerDeposit * t.price + UNIT - 1n) / UNIT,
            };
            const value = act.asset === "eth" ? (act.sellerOffers ? dep.s : dep.b + t.price) : 0n;
            outcome = await txAt(escrow, clock, send(offerer, iface.encodeFunctionData("offer", [t]), value));
            expected = modelStep(() => {
              const backup = model.clone();
              const id = model.offer(addresses[offerer], t, clock);
              if (act.asset === "feeToken" && takesFee(act.sellerOffers ? dep.s : dep.b + t.price)) {
                model = backup;
                throw new EscrowError("TokenDeliveredLess");
              }
              terms.set(Number(id), t);
            });
            break;
          }
          case "wait": {
            const d = model.deals.get(model.dealCount - BigInt(act.deal));
            if (!d) return;
            const target = d.deadline + BigInt(act.offset);
            if (target > clock) clock = target - 1n;
            return;
          }
          case "receiverMode":
            mode.reject = act.reject;
            mode.reenter = act.reenter;
            await receiver.configure(
              escrowAddress,
              act.reenter ? iface.encodeFunctionData("withdrawBurn", [ethers.ZeroAddress]) : "0x",
              act.reject,
            );
            clock = await latestTimestamp();
            return;
          case "withdrawBurn": {
            const caller = act.caller < 0 ? burn : f.other;
            outcome = await txAt(escrow, clock, (o) => escrow.connect(caller).withdrawBurn(assets[act.asset], o));
            expected = modelStep(() => model.withdrawBurn(caller.address, assets[act.asset]));
            break;
          }
          default: {
            const id = model.dealCount - BigInt(act.deal);
            const t = terms.get(Number(id));
            if (!t) return;
            const stage = model.deals.get(id)!.stage;
            const due =
              stage === Stage.Offered
                ? t.sellerOffers
                  ? t.buyer
                  : t.seller
                : stage === Stage.Fault || (stage === Stage.Final && act.kind === "withdraw" && clock % 2n === 0n)
                  ? t.seller
                  : t.buyer;
            const wanted = (act as { caller: Role }).caller;
            const role = wanted === "due" ? due : wanted === "seller" ? t.seller : t.buyer;
            const who = wanted === "other" ? 3 : addresses.indexOf(role);
            const caller = addresses[who];
            const args = act.kind === "redeem" ? [id, t, act.confirm] : [id, t];
            let value = 0n;
            if (act.kind === "accept" && t.asset === ethers.ZeroAddress) {
              const dep = {
                s: (table.sellerDeposit * t.price + UNIT - 1n) / UNIT,
                b: (table.buyerDeposit * t.price + UNIT - 1n) / UNIT,
              };
              value = t.sellerOffers ? dep.b + t.price : dep.s;
            }
            outcome = await txAt(
              escrow,
              clock,
              send(who, iface.encodeFunctionData(act.kind as never, args as never), value),
            );
            // The contract party refusing ETH makes the whole call revert: undo the model's step.
            const paysContractParty = who === 2 && mode.reject && t.asset === ethers.ZeroAddress;
            expected = modelStep(() => {
              const backup = model.clone();
              const undoWith = (error: string) => {
                model = backup;
                throw new EscrowError(error);
              };
              switch (act.kind) {
                case "accept": {
                  model.accept(caller, id, clock);
                  const amount = t.sellerOffers
                    ? (table.buyerDeposit * t.price + UNIT - 1n) / UNIT + t.price
                    : (table.sellerDeposit * t.price + UNIT - 1n) / UNIT;
                  if (t.asset === assets.feeToken && takesFee(amount)) undoWith("TokenDeliveredLess");
                  return;
                }
                case "withdrawOffer":
                  if (model.withdrawOffer(caller, id) > 0n && paysContractParty) undoWith("NativeTransferFailed");
                  return;
                case "redeem":
                  return model.redeem(caller, id, act.confirm, clock);
                case "requestRefund":
                  return model.requestRefund(caller, id, clock);
                case "complain":
                  return model.complain(caller, id, clock);
                case "confirmQuality":
                  return model.confirmQuality(caller, id, clock);
                case "cancelOrFault":
                  return model.cancelOrFault(caller, id, clock);
                case "finalize":
                  return model.finalize(caller, id, clock);
                case "withdraw":
                  if (model.withdraw(caller, id, clock) > 0n && paysContractParty) undoWith("NativeTransferFailed");
                  return;
              }
            });
          }
        }
        const got = outcome.ok ? undefined : outcome.error;
        expect(got, `${act.kind}: contract vs model`).to.equal(expected);
        if ("caller" in act && act.caller === "other") {
          expect(
            Object.values(assets).map((a) => model.owed(a)),
            `unrelated ${act.kind} moved money`,
          ).to.deep.equal(owedBefore);
          if (act.kind !== "finalize") expect(outcome.ok, `unrelated ${act.kind} accepted`).to.equal(false);
        }
        const tag = `${act.kind}:${got ?? "ok"}`;
        reached[tag] = (reached[tag] ?? 0) + 1;

        for (const a of ["eth", "token", "feeToken"] as const) {
          expect(await balanceOf(a), `${a} balance == owed`).to.equal(model.owed(assets[a]));
        }
        for (const [id, d] of model.deals) {
          const onChain = await escrow.deals(id);
          expect([Number(onChain.stage), Number(onChain.flags), onChain.deadline], `deal ${id}`).to.deep.equal([
            d.stage,
            d.flags,
            d.deadline,
          ]);
        }
        expect(await escrow.dealCount()).to.equal(model.dealCount);
      } finally {
        world.model = model;
        world.clock = clock;
      }
    };

    /** A command of the model-based test: check() lets every call through, since the contract
     *  must refuse exactly what the model refuses; run() is `step`. */
    class Call implements fc.AsyncCommand<World, World> {
      constructor(readonly act: Action) {}
      check = () => true;
      run = (_model: World, world: World) => step(world, this.act);
      toString = () => toJson(this.act);
    }

    await fc.assert(
      fc.asyncProperty(
        fc.commands([action.map((act) => new Call(act))], { maxCommands: 32, size: "max" }),
        async (commands) => {
          await network.provider.send("evm_revert", [snapshot]);
          snapshot = await network.provider.send("evm_snapshot");
          const world: World = {
            model: new EscrowModel(burn.address),
            terms: new Map(),
            mode: { reject: false, reenter: false },
            clock: await latestTimestamp(),
          };
          world.model.registerTable(tableId, table);
          world.model.registerTable(minTableId, minTable);
          await fc.asyncModelRun(() => ({ model: world, real: world }), commands);
          const { model, terms } = world;
          let { clock } = world;

          // Past every deadline, every deal can be brought to its end and everyone paid.
          await receiver.configure(escrowAddress, "0x", false);
          // Beyond the latest deadline plus every later window (each at most 400 s).
          clock =
            [...model.deals.values()].reduce((m, d) => (d.deadline > m ? d.deadline : m), await latestTimestamp()) +
            3n * 400n;
          const drain = async (label: string, tx: Parameters<typeof txAt>[2], step: () => unknown) => {
            clock += 1n;
            const outcome = await txAt(escrow, clock, tx);
            expect(outcome.ok ? undefined : outcome.error, `${label}: contract vs model`).to.equal(modelStep(step));
            expect(outcome.ok, `liveness: ${label}`).to.equal(true);
          };
          const iface = escrow.interface;
          for (const [id, d] of model.deals) {
            const t = terms.get(Number(id))!;
            if (d.stage === Stage.Offered) {
              const offerer = t.sellerOffers ? t.seller : t.buyer;
              await drain(
                `deal ${id} withdrawOffer`,
                send(addresses.indexOf(offerer), iface.encodeFunctionData("withdrawOffer", [id, t]), 0n),
                () => model.withdrawOffer(offerer, id),
              );
              continue;
            }
            if (d.stage !== Stage.Final && d.stage !== Stage.Withdrawn) {
              await drain(
                `deal ${id} finalize by an unrelated account`,
                send(3, iface.encodeFunctionData("finalize", [id, t]), 0n),
                () => model.finalize(f.other.address, id, clock),
              );
            }
            if (model.deals.get(id)!.stage !== Stage.Final) continue;
            for (const [who, paid] of [
              [t.seller, SELLER_PAID],
              [t.buyer, BUYER_PAID],
            ] as const) {
              if (model.deals.get(id)!.flags & paid) continue;
              await drain(
                `deal ${id} withdraw`,
                send(addresses.indexOf(who), iface.encodeFunctionData("withdraw", [id, t]), 0n),
                () => model.withdraw(who, id, clock),
              );
            }
          }
          for (const a of ["eth", "token", "feeToken"] as const) {
            await drain(
              `withdrawBurn ${a}`,
              (o) => escrow.connect(burn).withdrawBurn(assets[a], o),
              () => model.withdrawBurn(burn.address, assets[a]),
            );
            expect(await balanceOf(a), `${a}: nothing left locked`).to.equal(0n);
          }
        },
      ),
      { ...FUZZ },
    );
    if (process.env.FUZZ_VERBOSE) console.log(reached);
    // With few runs (the coverage job's 20) a path can go unreached by chance; with the CI's 256 it must not.
    for (const tag of RUNS < REACH_MIN_RUNS
      ? []
      : [
          "offer:ok",
          "accept:ok",
          "withdraw:ok",
          "finalize:ok",
          "offer:TokenDeliveredLess",
          "offer:PriceBelowMinimum",
          "accept:OfferExpired",
        ]) {
      expect(reached[tag] ?? 0, `runs reached ${tag}`).to.be.greaterThan(0);
    }
  });
});
