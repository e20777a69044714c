import { expect } from "chai";
import fc from "fast-check";
import { ethers, network } from "hardhat";
import { fuzzSettings } from "../fuzz";
import { DEAD, EscrowError, EscrowModel, MAX_TIME, Stage, partsOf } from "../../src/exchange/model/exchangeEscrow";
import { type Terms, TERMS_TYPES, dealIdOf, packTerms, partiesOf } from "../../src/exchange/model/terms";
import { latestTimestamp } from "../harness";
import { toJson } from "../../src/common/json";
import {
  ASSETS,
  type Action,
  type Asset,
  action,
  deployEnvironment,
  dueOf,
  feeOf,
  modelOutcome,
  MUST_REACH,
  SCRIPT,
  show,
  stepAction,
} from "./escrowCommands";

/**
 * Model-based test (fast-check commands): random sequences of up to 32 calls over many deals at once against
 * one deployment and the exact model (`EscrowModel`): on-chain offers, accepts and withdrawals; signed offers
 * accepted with a valid signature, a wrong signer's, one made for a second escrow or for another chain id (both
 * refused), replays of a used signature (refused), cancellations; deposits and withdrawals of balances; the
 * messages; time jumps to deadline -1/0/+1 and to the end of 40-bit time (deadlines saturate); owner changes of
 * the burn recipient (also to a party of open deals); prices below a table's minimum; native ETH, an ERC-20 that
 * can block the contract party and a fee-on-transfer token (refused when it takes a fee). The contract party
 * refuses ETH and is blocked by the token while `reject` is on: its pushed payouts must be credited instead.
 * Every call's outcome (custom error and arguments) equals the model's. After every step: each deal slot and each
 * balance equals the model's, and per asset the contract's balance equals what it owes (deal money + balances).
 * An unrelated account's calls on a deal move no money and, except `finalize`, are refused. Every run ends past
 * every deadline: every deal is brought to its end and every balance withdrawn; only the dead address's credits
 * stay (no lock-up). A scripted run (`SCRIPT`) first goes through every path in `MUST_REACH`.
 */
const DEFAULT_RUNS = 60;
/** The owner's latest burn setting (in force now or from the next second). */
const latestBurnSetting = (model: EscrowModel) => BigInt(model.burnSettings.length - 1);
const FUZZ = fuzzSettings(DEFAULT_RUNS);
const RUNS = FUZZ.numRuns;

interface Entry {
  terms: Terms;
  id: string;
  asset: Asset;
  signed: boolean;
}
interface World {
  model: EscrowModel;
  entries: Entry[];
  mode: { reject: boolean };
  clock: bigint;
}

describe("ExchangeEscrow: model-based commands over many deals against the exact model", function () {
  it(`balance per asset == deal money + balances, deal slots and balances == model (${RUNS} runs)`, async function () {
    this.timeout(Math.max(120_000, RUNS * 5_000));
    const env = await deployEnvironment();
    const { f, escrow, table, tableNumber, minTable, minTableNumber, escrowAddress, domain2, otherChain } = env;
    const { receiver, receiverAddress, token, feeToken, signers, addresses, assets, balanceOf, callAt } = env;
    let snapshot: string = await network.provider.send("evm_snapshot");
    const reached: Record<string, number> = {};
    const reach = (tag: string) => (reached[tag] = (reached[tag] ?? 0) + 1);
    let salt = 0n;

    const entryAt = (w: World, i: number): Entry | undefined => w.entries[w.entries.length - 1 - i];
    /** One call (or a wait), to the contract and the model alike; then every invariant. */
    const step = async (w: World, generated: Action): Promise<void> => {
      const { model, mode } = w;
      const picked = generated.kind === "step" ? entryAt(w, generated.deal) : undefined;
      const act =
        generated.kind !== "step"
          ? generated
          : picked && stepAction(model, picked, generated.deal, generated.choice, addresses);
      if (!act) return;
      const iface = escrow.interface;
      /** A pull the token refuses: the blocked contract party's, or one the fee token takes a fee from. */
      const pull = (who: number, a: Asset, amount: bigint) => {
        if (a === "token" && who === 2 && mode.reject && amount > 0n)
          throw new EscrowError("Blocked", [receiverAddress]);
        if (a === "feeToken" && feeOf(amount) > 0n)
          throw new EscrowError("TokenDeliveredLess", [amount, amount - feeOf(amount)]);
      };
      let got: string | undefined;
      let expected: string | undefined;
      /** What the unrelated account holds, here and in its wallet (tokens: ETH pays gas). */
      const otherHolds = () =>
        Promise.all([
          ...ASSETS.map((a) => model.balanceOf(addresses[3], assets[a])),
          token.balanceOf(addresses[3]),
          feeToken.balanceOf(addresses[3]),
        ]);
      const otherBefore = await otherHolds();
      const deadBefore = ASSETS.map((a) => model.balanceOf(DEAD, assets[a]));
      switch (act.kind) {
        case "new": {
          const a = act;
          const expiry = w.clock + BigInt(a.expiry);
          const terms: Terms = {
            seller: addresses[a.seller],
            buyer: addresses[(a.seller + a.buyer) % 3],
            asset: assets[a.asset],
            price: a.price,
            table: a.withMin ? minTableNumber : tableNumber,
            expiry: expiry < MAX_TIME ? expiry : MAX_TIME,
            redeemWindow: BigInt(a.windows[0]),
            complaintWindow: BigInt(a.windows[1]),
            faultWindow: BigInt(a.windows[2]),
            sellerOffers: a.sellerOffers,
            salt: ++salt,
            burnSetting: { latest: 0n, previous: -1n, next: 1n }[a.burnSetting] + latestBurnSetting(model),
            fromWallet: false,
          };
          if (terms.burnSetting < 0n) terms.burnSetting = 0n;
          w.entries.push({ terms, id: dealIdOf(f.domain, terms), asset: a.asset, signed: a.signed });
          return a.signed ? undefined : step(w, { kind: "offer", deal: 0, caller: "due" });
        }
        case "wait": {
          const e = entryAt(w, act.deal);
          const s = e && model.slot(e.id);
          if (!e || !s) return;
          const target = (s.stage === Stage.None ? e.terms.expiry : s.deadline) + BigInt(act.offset);
          if (target > w.clock) w.clock = target - 1n;
          return;
        }
        case "farFuture":
          if (w.clock < MAX_TIME - 300n) w.clock = MAX_TIME - 300n;
          return;
        case "receiverMode":
          mode.reject = act.reject;
          await receiver.configure(escrowAddress, "0x", act.reject);
          await token.setBlocked(receiverAddress, act.reject);
          w.clock = await latestTimestamp();
          return;
        case "setBurn": {
          const to = act.to < 6 ? addresses[act.to] : ethers.ZeroAddress;
          const who = act.byOwner ? 5 : 3;
          w.clock += 1n;
          got = await callAt(w.clock, who, iface.encodeFunctionData("setBurnRecipient", [to]));
          expected = modelOutcome(() => model.setBurnRecipient(addresses[who], to, w.clock));
          break;
        }
        case "withdraw": {
          const balance = model.balanceOf(addresses[act.who], assets[act.asset]);
          const amount = [balance, balance / 2n, balance + 1n][act.part];
          w.clock += 1n;
          got = await callAt(w.clock, act.who, iface.encodeFunctionData("withdraw", [assets[act.asset], amount]));
          expected = modelOutcome(() => model.withdraw(addresses[act.who], assets[act.asset], amount));
          if (expected === "TokenTransferFailed()") expected = show("Blocked", [receiverAddress]);
          break;
        }
        default: {
          const e = act.kind === "step" ? undefined : entryAt(w, act.deal);
          if (!e || act.kind === "step") return;
          const { terms: t, id } = e;
          const packed = packTerms(t);
          const caller =
            act.caller === "due" ? dueOf(act.kind, t) : act.caller === "other" ? addresses[3] : t[act.caller];
          const who = addresses.indexOf(caller);
          const parts = partsOf(model.tables.get(t.table)!, t);
          const eth = e.asset === "eth";
          w.clock += 1n;
          const now = w.clock;
          const send = (fn: string, args: unknown[], value = 0n) =>
            callAt(now, who, iface.encodeFunctionData(fn as never, args as never), value);
          switch (act.kind) {
            case "offer":
              got = await send("offer", [packed], eth ? parts.offerer : 0n);
              expected = modelOutcome(() =>
                model.atomic(() => (model.offer(caller, t, id, now), pull(who, e.asset, parts.offerer))),
              );
              break;
            case "accept":
              got = await send("accept", [packed], eth ? parts.counterparty : 0n);
              expected = modelOutcome(() =>
                model.atomic(() => (model.accept(caller, t, id, now), pull(who, e.asset, parts.counterparty))),
              );
              break;
            case "acceptSigned": {
              const offerer = addresses.indexOf(partiesOf(t).offerer);
              const key = act.sig === "wrongSigner" ? f.other : (signers[offerer] ?? f.seller);
              const domain = act.sig === "otherEscrow" ? domain2 : act.sig === "otherChain" ? otherChain : f.domain;
              const signature = await key.signTypedData(domain, TERMS_TYPES, t);
              const valid = act.sig === "valid" && offerer !== 2;
              got = await send("acceptSigned", [packed, signature], eth ? parts.counterparty : 0n);
              expected = modelOutcome(() =>
                model.atomic(
                  () => (model.acceptSigned(caller, t, id, valid, now), pull(who, e.asset, parts.counterparty)),
                ),
              );
              break;
            }
            case "deposit": {
              const have = model.balanceOf(caller, t.asset);
              const amount = (parts.offerer > have ? parts.offerer - have : 0n) + act.extra;
              got = await send("deposit", [t.asset, amount], eth ? amount : 0n);
              expected = modelOutcome(() =>
                model.atomic(() => (model.deposit(caller, t.asset, amount), pull(who, e.asset, amount))),
              );
              break;
            }
            case "redeem":
              got = await send("redeem", [packed, act.confirm]);
              expected = modelOutcome(() => model.redeem(caller, t, id, act.confirm, now));
              break;
            default:
              got = await send(act.kind, [packed]);
              expected = modelOutcome(() =>
                act.kind === "withdrawOffer"
                  ? model.withdrawOffer(caller, t, id)
                  : act.kind === "cancelSigned"
                    ? model.cancelSigned(caller, t, id)
                    : model[act.kind as "complain"](caller, t, id, now),
              );
          }
          if (act.caller === "other" && act.kind !== "deposit") {
            expect(await otherHolds(), `unrelated ${act.kind} paid it`).to.deep.equal(otherBefore);
            if (act.kind !== "finalize") expect(got, `unrelated ${act.kind} accepted`).to.not.equal(undefined);
          }
        }
      }
      expect(got, `${act.kind}: contract vs model`).to.equal(expected);
      const tag = `${act.kind}${act.kind === "acceptSigned" ? ` ${act.sig}` : ""}:${(got ?? "ok").split("(")[0]}`;
      reach(tag);
      if (process.env.FUZZ_VERBOSE === "2") console.log(toJson(act), got);
      if (ASSETS.some((a) => model.balanceOf(DEAD, assets[a]) > deadBefore[ASSETS.indexOf(a)])) {
        reach("burn to DEAD");
        const d = picked ?? ("deal" in act ? entryAt(w, act.deal) : undefined);
        if (d && model.burnSettingAt(model.slot(d.id).createdAt).setting !== d.terms.burnSetting) {
          reach("burn to DEAD: setting not agreed");
        }
      }
      await verify(w);
    };

    /** Every deal slot, every balance and the accounting invariant, against the model. */
    const verify = async ({ model, entries, clock }: World) => {
      for (const a of ASSETS) expect(await balanceOf(a), `${a}: balance == owed`).to.equal(model.owed(assets[a]));
      const slots = await Promise.all(entries.map((e) => escrow.deals(e.id)));
      entries.forEach((e, i) => {
        const [deadline, stage, flags, createdAt] = slots[i];
        const m = model.slot(e.id);
        if (m.deadline === MAX_TIME && m.stage !== Stage.Offered) reach("deadline saturated");
        expect([deadline, Number(stage), Number(flags), createdAt], `deal ${i}`).to.deep.equal([
          m.deadline,
          m.stage,
          m.flags,
          m.createdAt,
        ]);
      });
      const holders = [...addresses, DEAD];
      const pairs = holders.flatMap((h) => ASSETS.map((a) => [h, assets[a]] as const));
      const balances = await Promise.all(pairs.map(([h, a]) => escrow.balances(h, a)));
      expect(balances, "balances").to.deep.equal(pairs.map(([h, a]) => model.balanceOf(h, a)));
      const [setting, recipient] = await escrow.burnSetting();
      const inForce = model.burnSettingAt(clock);
      expect([setting, recipient], "burnSetting").to.deep.equal([inForce.setting, inForce.recipient]);
      for (const agreed of [0n, inForce.setting]) {
        const destination = await escrow.burnDestination(clock, agreed, addresses[0], addresses[1]);
        expect(destination.toLowerCase(), `burnDestination(${agreed})`).to.equal(
          model.burnDestination(clock, agreed, addresses[0], addresses[1]).toLowerCase(),
        );
      }
    };

    class Call implements fc.AsyncCommand<World, World> {
      constructor(readonly act: Action) {}
      check = () => true;
      run = (_m: World, w: World) => step(w, this.act);
      toString = () => toJson(this.act);
    }

    /** One run from a fresh deployment: `play` drives it, then every deal is ended and every balance withdrawn. */
    const runOnce = async (play: (w: World) => Promise<unknown>) => {
      await network.provider.send("evm_revert", [snapshot]);
      snapshot = await network.provider.send("evm_snapshot");
      const mode = { reject: false };
      const pushSucceeds = (account: string, a: string) =>
        !(mode.reject && account.toLowerCase() === receiverAddress.toLowerCase() && a !== assets.feeToken) ||
        !reach(`transfer refused ${a === assets.eth ? "eth" : "token"}`);
      const model = new EscrowModel(f.owner.address, f.burn.address, { pushSucceeds });
      model.registerTable(await escrow.tableIdOf(tableNumber), table);
      model.registerTable(await escrow.tableIdOf(minTableNumber), minTable);
      const w: World = { model, entries: [], mode, clock: await latestTimestamp() };
      await play(w);

      // Past every deadline, every deal can be brought to its end and every balance withdrawn.
      await step(w, { kind: "receiverMode", reject: false });
      const last = w.entries.reduce((m, e) => (model.slot(e.id).deadline > m ? model.slot(e.id).deadline : m), w.clock);
      w.clock = last + 3n * 400n;
      for (let i = 0; i < w.entries.length; i++) {
        const stage = model.slot(w.entries[i].id).stage;
        const d = w.entries.length - 1 - i;
        if (stage === Stage.Offered) await step(w, { kind: "withdrawOffer", deal: d, caller: "due" });
        else if (stage >= Stage.Redeem && stage <= Stage.Fault)
          await step(w, { kind: "finalize", deal: d, caller: "other" });
        expect(model.slot(w.entries[i].id).stage, `liveness: deal ${i}`).to.be.oneOf([
          Stage.None,
          Stage.Final,
          Stage.Withdrawn,
        ]);
      }
      for (let who = 0; who < addresses.length; who++) {
        for (const a of ASSETS) {
          if (model.balanceOf(addresses[who], assets[a]) > 0n)
            await step(w, { kind: "withdraw", who, asset: a, part: 0 });
          expect(model.balanceOf(addresses[who], assets[a]), `liveness: withdraw ${who} ${a}`).to.equal(0n);
        }
      }
      for (const a of ASSETS)
        expect(await balanceOf(a), `${a}: only DEAD's credits left`).to.equal(model.balanceOf(DEAD, assets[a]));
    };

    await runOnce(async (w) => {
      for (const act of SCRIPT) await step(w, act);
    });
    await fc.assert(
      fc.asyncProperty(fc.commands([action.map((a) => new Call(a))], { maxCommands: 32, size: "max" }), (commands) =>
        runOnce((w) => fc.asyncModelRun(() => ({ model: w, real: w }), commands)),
      ),
      { ...FUZZ },
    );
    if (process.env.FUZZ_VERBOSE) console.log(reached);
    // The scripted run reaches every one of these, whatever the seed and the run count.
    for (const tag of MUST_REACH) expect(reached[tag] ?? 0, `runs reached ${tag}`).to.be.greaterThan(0);
  });
});
