import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { loadGame, type NodeSpec } from "../../src/exchange/design/game";
import { stateIndex } from "../../src/exchange/model/payoutTable";
import { dealIdOf } from "../../src/exchange/model/terms";
import { deployEscrow, UNIT, WINDOW } from "./fixture";

const ETH = ethers.ZeroAddress;

/** Every root-to-leaf path of the core-exchange tree with the moves taken and the state it names. */
function leaves(
  node: NodeSpec,
  moves: { player: string; label: string }[] = [],
): { moves: typeof moves; state: string }[] {
  return node.moves.flatMap((m) => {
    const path = [...moves, { player: node.player, label: m.label }];
    if (m.next) return leaves(m.next, path);
    // The contract sees the three messages after the hidden quality.
    return [
      {
        moves: path,
        state: path
          .slice(1)
          .map((x) => x.label)
          .join("-"),
      },
    ];
  });
}

describe("ExchangeEscrow: every path of the game tree", () => {
  const game = loadGame("games/core-exchange.json");
  const paths = leaves(game.root);

  it("the tree has 16 leaves over 8 contract states", () => {
    expect(paths).to.have.length(16);
    expect(new Set(paths.map((p) => p.state)).size).to.equal(8);
  });

  for (const route of ["offer/accept", "acceptSigned"] as const) {
    for (const mode of ["messages sent", "absences timed out"] as const) {
      for (const path of paths) {
        const label = path.moves.map((m) => m.label).join(" ");
        it(`${label} -> ${path.state} (${mode}, ${route})`, async () => {
          const { escrow, seller, buyer, other, burn, table, terms, sign, packed, domain } =
            await loadFixture(deployEscrow);
          const signed = route === "acceptSigned";
          // On chain the seller offers; signed, the buyer does (its part from its escrow balance).
          const t = await terms({ sellerOffers: !signed });
          const p = packed(t);
          const id = dealIdOf(domain, t);
          const price = t.price;
          const [sellerDeposit, buyerDeposit] = await escrow.depositsFor(t.table, price);
          const balance = (s: HardhatEthersSigner) => ethers.provider.getBalance(s.address);
          const start = { seller: await balance(seller), buyer: await balance(buyer) };
          const gas = { seller: 0n, buyer: 0n };
          /** Sends a party's transaction and books its gas. */
          const send = async (who: "seller" | "buyer", tx: Promise<ContractTransactionResponse>) => {
            const receipt = (await (await tx).wait())!;
            gas[who] += receipt.fee;
            return receipt;
          };
          const asSeller = escrow.connect(seller);
          const asBuyer = escrow.connect(buyer);
          if (signed) {
            await send("buyer", asBuyer.deposit(ETH, buyerDeposit + price, { value: buyerDeposit + price }));
            await send("seller", asSeller.acceptSigned(p, await sign(buyer, t), { value: sellerDeposit }));
          } else {
            await send("seller", asSeller.offer(p, { value: sellerDeposit }));
            await send("buyer", asBuyer.accept(p, { value: buyerDeposit + price }));
          }
          const createdAt = (await escrow.deals(id)).createdAt;

          const timeout = mode === "absences timed out";
          // The quality (first move) is hidden from the contract; the three messages follow.
          const [, redeem, complaint, fault] = path.moves.map((m) => m.label);
          if (redeem === "R") await send("buyer", asBuyer.redeem(p, false));
          else if (timeout) await time.increase(WINDOW);
          else await send("buyer", asBuyer.requestRefund(p));
          if (complaint === "C") await send("buyer", asBuyer.complain(p));
          else if (timeout) await time.increase(WINDOW);
          else await send("buyer", asBuyer.confirmQuality(p));
          let receipt: ContractTransactionReceipt;
          if (fault === "CF") receipt = await send("seller", asSeller.cancelOrFault(p));
          else if (timeout) {
            await time.increase(WINDOW);
            receipt = (await (await escrow.connect(other).finalize(p)).wait())!; // anyone, after the last deadline
          } else receipt = await send("seller", asSeller.finalize(p));

          const s = stateIndex(path.state);
          const events = receipt.logs.map((log) => escrow.interface.parseLog(log)).filter((e) => e !== null);
          const finalized = events.filter((e) => e.name === "Finalized").map((e) => [...e.args]);
          expect(finalized).to.deep.equal([[id, BigInt(s)]]);
          const deal = await escrow.deals(id);
          expect([deal.stage, deal.flags]).to.deep.equal([5n, BigInt(s)]);

          // The contract's payouts are the table's: payouts rounded down, the rest of the pot burnt.
          const [sellerPay, buyerPay, burnt] = await escrow.payouts(t.table, price, s);
          expect(sellerPay).to.equal((table.seller[s] * price) / UNIT);
          expect(buyerPay).to.equal((table.buyer[s] * price) / UNIT);
          expect(sellerPay + buyerPay + burnt).to.equal(sellerDeposit + buyerDeposit + price);
          // Each party's wallet moved by exactly its payout minus what it paid in and its gas.
          expect((await balance(seller)) - start.seller).to.equal(sellerPay - sellerDeposit - gas.seller);
          expect((await balance(buyer)) - start.buyer).to.equal(buyerPay - buyerDeposit - price - gas.buyer);
          // Both were pushed, nothing credited to them; the burn credited to the deal's burn destination.
          expect(await escrow.burnDestination(createdAt, t.burnSetting, seller.address, buyer.address)).to.equal(
            burn.address,
          );
          const credited = events.filter((e) => e.name === "Credited").map((e) => [...e.args]);
          expect(credited).to.deep.equal(burnt === 0n ? [] : [[id, burn.address, ETH, burnt]]);
          expect(await escrow.balances(burn.address, ETH)).to.equal(burnt);
          expect(await escrow.balances(seller.address, ETH)).to.equal(0n);
          expect(await escrow.balances(buyer.address, ETH)).to.equal(0n);
          // Nothing stuck, nothing created: the escrow holds exactly the credited burn.
          expect(await ethers.provider.getBalance(escrow.getAddress())).to.equal(burnt);
        });
      }
    }
  }
});
