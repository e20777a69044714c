/**
 * Large games for the designer's scale test and benchmark: a chain of player nodes, one node
 * with many moves, and a chain whose program is infeasible at one node.
 */
import { type Game, type NodeSpec, parseGame } from "../exchange/design/game";

/**
 * A chain of `n` nodes of one player A (deposit `deposit`, free by default): at node k, "go" leads on
 * (the last one ends in state "end"), "quit" ends in state "q<k>" and is worth `bait(k)` to A.
 * Designed with delta d: D_A = max bait + d, paid out in "end", nothing in any "q<k>".
 */
export function chainGame(n: number, bait: (k: number) => number, deposit: number | "free" = "free"): Game {
  let next: NodeSpec | undefined;
  for (let k = n - 1; k >= 0; k--) {
    const go = next ? { label: "go", next } : { label: "go", observe: "end" };
    const quit = { label: "quit", observe: `q${k}`, utility: { A: bait(k) } };
    next = { id: `n${k}`, player: "A", honest: "go", moves: [go, quit] };
  }
  return parseGame({ name: `chain-${n}`, players: [{ id: "A", deposit }], root: next }, `chain-${n}`);
}

/** One node of A with `n` moves: "honest" ends in "h", move "m<i>" in "m<i>", worth (i % 10) / 10 to A. */
export function wideGame(n: number): Game {
  const moves = [{ label: "honest", observe: "h" }];
  for (let i = 1; i < n; i++) moves.push({ label: `m${i}`, observe: `m${i}`, utility: { A: (i % 10) / 10 } } as never);
  return parseGame({
    name: `wide-${n}`,
    players: [{ id: "A" }],
    root: { id: "root", player: "A", honest: "honest", moves },
  });
}

/**
 * A program of about 2n rows with a single irreducible infeasible subset: a chain of n nodes with
 * A's deposit fixed at 0, where only node `bad` tempts A (quit worth 0.5). Designed without the
 * on-path trade, so the conflict is exactly {IC at node "n<bad>", budget in state end}.
 */
export const infeasibleChain = (n: number, bad: number): Game => chainGame(n, (k) => (k === bad ? 0.5 : 0), 0);
