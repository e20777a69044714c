/**
 * A market's closed rounds and parameter changes, followed live from its events (the market watcher of
 * `market:watch`, from the market's deployment block), as the chart's rows and marks.
 */
import { deploymentBlock } from "../chain/logs";
import { fromFixed } from "../common/fixed";
import type { MarketClient, MarketParams } from "../clearing/parties/marketClient";
import { type WatchedRound, watchRounds } from "../clearing/parties/marketWatch";
import type { ChangeMark, RoundRow } from "./chart";

export class MarketRounds {
  readonly rounds: WatchedRound[] = [];
  private readonly activated: { version: bigint; round: bigint }[] = [];
  private readonly params = new Map<bigint, Promise<MarketParams>>();
  private pending: ReturnType<typeof setTimeout> | undefined;

  /** `onUpdate` runs (at most every 200 ms) after rounds or changes arrive. */
  constructor(
    private readonly client: MarketClient,
    private readonly onUpdate: () => void,
  ) {}

  /** Follows the market until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const provider = this.client.provider;
    const fromBlock = await deploymentBlock(provider, this.client.address, await provider.getBlockNumber());
    await watchRounds(this.client, {
      fromBlock,
      pollMs: 1000,
      signal,
      log: (_line, round) => {
        if (round) this.rounds.push(round);
        this.changed();
      },
      onParams: (p) => {
        this.activated.push(p);
        this.changed();
      },
    });
  }

  private changed(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.onUpdate();
    }, 200);
  }

  private paramsOf(version: bigint): Promise<MarketParams> {
    if (!this.params.has(version)) this.params.set(version, this.client.params(version));
    return this.params.get(version)!;
  }

  /** The chart's rows: each round's posted price (`tau + mu` of its version), demand and capacity. */
  async rows(): Promise<RoundRow[]> {
    return Promise.all(
      this.rounds.map(async (r) => ({
        round: Number(r.round),
        price: fromFixed((await this.paramsOf(r.version)).tau + r.mu),
        demand: fromFixed(r.totalDemand),
        capacity: fromFixed(r.capacity),
        converged: r.converged,
      })),
    );
  }

  /** The parameter versions after the first, each at the round it took effect, with what changed. */
  async changes(): Promise<ChangeMark[]> {
    return Promise.all(
      this.activated
        .filter((a) => a.version > 1n)
        .map(async ({ version, round }) => {
          const [before, after] = await Promise.all([this.paramsOf(version - 1n), this.paramsOf(version)]);
          const shock =
            before.capacity !== after.capacity
              ? `capacity ${fromFixed(before.capacity)}→${fromFixed(after.capacity)}`
              : "parameters";
          return { round: Number(round), label: `v${version}: ${shock}` };
        }),
    );
  }
}
