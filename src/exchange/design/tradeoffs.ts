/**
 * A game's protection profiles side by side: each profile designed, checked and published, and the
 * trade-off between them (spec core-exchange §6): what the parties must lock up (total deposit)
 * against how much one deviating party can hurt the other (worst griefing factor), how much money
 * is destroyed off the equilibrium path, and the smallest safe price.
 */
import { markdownTable } from "../../common/output";
import { type DesignOptions, designTable } from "./designer";
import { type Game, GameError } from "./game";
import { describeStrategy } from "./griefing";
import type { Profile } from "./profile";
import { type PublishedDesign, publishDesign } from "./publish";

export interface ProfileDesign {
  name: string;
  profile: Profile;
  published: PublishedDesign;
}

/** The design options of a profile: `base` (delta, objective, ...) with the profile's protections. */
export const profileOptions = (base: DesignOptions, profile: Profile): DesignOptions => ({
  ...base,
  protections: [...(base.protections ?? []), ...profile.protections],
  maxGriefing: base.maxGriefing ?? profile.maxGriefing,
  forfeitTo: base.forfeitTo ?? profile.forfeitTo,
});

/** Designs and publishes every profile of `game`, in the file's order; an infeasible one is an error. */
export async function designProfiles(game: Game, base: DesignOptions): Promise<ProfileDesign[]> {
  const profiles = Object.entries(game.profiles ?? {});
  if (!profiles.length) throw new GameError(`game "${game.name}" has no "profiles"`);
  const out: ProfileDesign[] = [];
  for (const [name, profile] of profiles) {
    const result = await designTable(game, profileOptions(base, profile));
    if (result.status !== "optimal") {
      const why =
        result.status === "infeasible"
          ? `infeasible (${result.culprits.map((c) => c.name).join("; ")})`
          : result.reason;
      throw new GameError(`profile "${name}": ${why}`);
    }
    out.push({ name, profile, published: publishDesign(game, result.design) });
  }
  return out;
}

export interface TradeoffRow {
  profile: string;
  description: string;
  /** Deposits per player and in total, units of the price. */
  deposits: Record<string, number>;
  totalDeposit: number;
  /** The largest griefing factor over every deviating strategy, and the strategy. */
  worstGriefing: number;
  worstGriefingBy: string;
  /** Money destroyed, summed over the off-path states, units of the price. */
  offPathBurn: number;
  smallestSafePrice: bigint;
}

export function tradeoffRows(designs: ProfileDesign[]): TradeoffRow[] {
  return designs.map(({ name, profile, published: { design, smallestSafePrice } }) => {
    const worst = design.griefing.entries[0];
    const offPath = Object.keys(design.burn).filter((s) => !design.equilibriumStates.includes(s));
    return {
      profile: name,
      description: profile.description ?? "",
      deposits: design.deposits,
      totalDeposit: round(Object.values(design.deposits).reduce((a, b) => a + b, 0)),
      worstGriefing: design.griefing.worst,
      worstGriefingBy: worst && worst.factor > 0 ? describeStrategy(worst) : "",
      offPathBurn: round(offPath.reduce((acc, s) => acc + design.burn[s], 0)),
      smallestSafePrice,
    };
  });
}

const round = (x: number) => Math.round(x * 1e10) / 1e10;
const factor = (x: number) => (x === Infinity ? "infinite" : x.toFixed(2));

/** The trade-off as a Markdown table (README, docs/exchange.md). */
export function tradeoffMarkdown(rows: TradeoffRow[]): string {
  const players = Object.keys(rows[0]?.deposits ?? {});
  return markdownTable(
    [
      "profile",
      ...players.map((p) => `D_${p}`),
      "total deposit",
      "worst griefing factor (strategy)",
      "off-path burn",
      "p0 (base units)",
    ],
    rows.map((r) => [
      `\`${r.profile}\``,
      ...players.map((p) => r.deposits[p].toFixed(2)),
      r.totalDeposit.toFixed(2),
      `${factor(r.worstGriefing)}${r.worstGriefingBy ? ` (${r.worstGriefingBy})` : ""}`,
      r.offPathBurn.toFixed(2),
      r.smallestSafePrice.toString(),
    ]),
  );
}

/** One row per profile for a CSV file (deposits as columns). */
export const tradeoffCsvRows = (rows: TradeoffRow[]): Record<string, unknown>[] =>
  rows.map(({ deposits, ...r }) => ({
    profile: r.profile,
    ...Object.fromEntries(Object.entries(deposits).map(([p, x]) => [`D_${p}`, x])),
    totalDeposit: r.totalDeposit,
    worstGriefing: r.worstGriefing,
    worstGriefingBy: r.worstGriefingBy,
    offPathBurn: r.offPathBurn,
    smallestSafePrice: r.smallestSafePrice,
    description: r.description,
  }));
