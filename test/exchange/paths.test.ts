import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { loadGame, type NodeSpec } from "../../src/exchange/design/game";
import { stateIndex } from "../../src/exchange/model/payoutTable";
import { deployEscrow, UNIT, WINDOW } from "./fixture";

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

  for (const mode of ["messages sent", "absences left to time out"] as const) {
    for (const path of paths) {
      const label = path.moves.map((m) => m.label).join(" ");
      it(`${label} -> ${path.state} (${mode})`, async () => {
        const { escrow, seller, buyer, burn, table, terms } = await loadFixture(deployEscrow);
        const t = terms();
        const price = t.price;
        const buyerDeposit = (table.buyerDeposit * price + UNIT - 1n) / UNIT;
        const sellerDeposit = (table.sellerDeposit * price + UNIT - 1n) / UNIT;
        await escrow.connect(seller).offer(t, { value: sellerDeposit });
        await escrow.connect(buyer).accept(1, t, { value: buyerDeposit + price });
        const timeout = mode !== "messages sent";
        // The quality (first move) is hidden from the contract; the three messages follow.
        const [, redeem, complaint, fault] = path.moves.map((m) => m.label);
        if (redeem === "R") await escrow.connect(buyer).redeem(1, t, false);
        else if (timeout) await time.increase(WINDOW);
        else await escrow.connect(buyer).requestRefund(1, t);
        if (complaint === "C") await escrow.connect(buyer).complain(1, t);
        else if (timeout) await time.increase(WINDOW);
        else await escrow.connect(buyer).confirmQuality(1, t);
        let finalized;
        if (fault === "CF") finalized = escrow.connect(seller).cancelOrFault(1, t);
        else if (timeout) {
          await time.increase(WINDOW);
          finalized = escrow.connect(buyer).withdraw(1, t); // finalizes lazily, then pays the buyer
        } else finalized = escrow.connect(seller).finalize(1, t);

        const s = stateIndex(path.state);
        const sellerPay = (table.seller[s] * price) / UNIT;
        const buyerPay = (table.buyer[s] * price) / UNIT;
        const pot = sellerDeposit + buyerDeposit + price;
        await expect(finalized)
          .to.emit(escrow, "Finalized")
          .withArgs(1n, s, sellerPay, buyerPay, pot - sellerPay - buyerPay);
        const deal = await escrow.deals(1);
        expect(deal.flags & 7n, "state").to.equal(BigInt(s));

        const escrowAddress = await escrow.getAddress();
        if (!(timeout && fault !== "CF")) {
          await expect(escrow.connect(buyer).withdraw(1, t)).to.changeEtherBalance(buyer, buyerPay);
        }
        await expect(escrow.connect(seller).withdraw(1, t)).to.changeEtherBalance(seller, sellerPay);
        await expect(escrow.connect(burn).withdrawBurn(ethers.ZeroAddress)).to.changeEtherBalance(
          burn,
          pot - sellerPay - buyerPay,
        );
        // Everything paid in has been paid out: nothing is stuck, nothing was created.
        expect(await ethers.provider.getBalance(escrowAddress)).to.equal(0n);
        await expect(escrow.connect(seller).withdraw(1, t)).to.be.revertedWithCustomError(escrow, "AlreadyWithdrawn");
      });
    }
  }
});
