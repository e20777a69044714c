/**
 * Chain time for the pages' countdowns, and the block ticker they refresh on. A deadline is judged by the
 * time of the block a call is mined in, not by this computer's clock: a development node can be warped ahead
 * (`evm_increaseTime`), so the clock re-reads the next block's time (`nextBlockTime`) at every new block and
 * every few seconds, and counts on from it between reads.
 */
import type { Provider } from "ethers";
import { nextBlockTime } from "../chain/clock";
import { countdown } from "./format";

export class ChainClock {
  block = -1;
  private base = 0n;
  private at = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly provider: Provider) {}

  /** The chain's time now (seconds), as the next block would carry it. */
  now(): bigint {
    return this.base + BigInt(Math.floor((performance.now() - this.at) / 1000));
  }

  /** Calls `fn` at each new block and each re-read of the time; returns the unsubscribe. */
  onTick(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Polls the node (blocks every second, the time every five) and redraws every countdown every second. */
  async start(): Promise<void> {
    await this.sync();
    let seconds = 0;
    setInterval(() => {
      seconds += 1;
      void this.poll(seconds % 5 === 0);
      for (const el of document.querySelectorAll<HTMLElement>("[data-deadline]")) {
        el.textContent = countdown(BigInt(el.dataset.deadline!), this.now());
      }
    }, 1000);
  }

  private async sync(): Promise<void> {
    const [block, time] = await Promise.all([this.provider.getBlockNumber(), nextBlockTime(this.provider)]);
    [this.block, this.base, this.at] = [block, time, performance.now()];
  }

  private async poll(resync: boolean): Promise<void> {
    try {
      const block = await this.provider.getBlockNumber();
      if (block === this.block && !resync) return;
      await this.sync();
      for (const fn of this.listeners) fn();
    } catch {
      // The node did not answer this time: the next second asks again.
    }
  }
}

/** A countdown to `deadline` that the clock keeps current. */
export function deadlineText(deadline: bigint, clock: ChainClock): HTMLElement {
  const el = document.createElement("span");
  el.className = "countdown";
  el.dataset.deadline = String(deadline);
  el.textContent = countdown(deadline, clock.now());
  return el;
}
