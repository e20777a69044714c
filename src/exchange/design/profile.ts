/**
 * The protection options of a design (spec core-exchange §6), as data: what the designer takes
 * besides the game, and what a game file's named `profiles` hold. Only zod schemas here (the game
 * schema embeds them); protection.ts turns them into the program's rows.
 * - recover: in a state, a player gets back at least a share of what it paid in (1: made whole);
 * - forfeit: in a state, a player loses at least an amount (units of the price) of what it paid in;
 * - maxGriefing: every deviating strategy harms each victim at most this many times its own loss;
 * - forfeitTo: where money that nobody must receive goes, burnt or, where incentives allow, to the
 *   victim of the one player whose deviations reach that state.
 */
import { z } from "zod";
import { nameSchema } from "./names";

export const protectionSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("recover"),
      player: nameSchema,
      state: nameSchema,
      share: z.number().gt(0).max(1).default(1),
    })
    .strict(),
  z.object({ kind: z.literal("forfeit"), player: nameSchema, state: nameSchema, amount: z.number().gt(0) }).strict(),
]);
export type Protection = z.infer<typeof protectionSchema>;

export type ForfeitTo = "burn" | "victim";

export const profileSchema = z
  .object({
    description: z.string().optional(),
    protections: z.array(protectionSchema).default([]),
    maxGriefing: z.number().nonnegative().optional(),
    forfeitTo: z.enum(["burn", "victim"]).default("burn"),
  })
  .strict();
export type Profile = z.infer<typeof profileSchema>;
