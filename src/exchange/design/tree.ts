/**
 * The game tree's schema check without recursion (zod's own recursive schema overflows the stack
 * on chains some hundreds of levels deep): each node is checked alone, its children from a stack.
 * The first problem is reported with the path zod would give it ("root.moves.0.next.id").
 */
import { z } from "zod";
import type { MoveSpec, NodeSpec } from "./game";
import { idSchema, nameSchema } from "./names";

const id = idSchema;
const name = nameSchema;

const shallowMove = z
  .object({
    label: id,
    utility: z.record(name, z.number().finite()).optional(),
    observe: name.optional(),
    state: name.optional(),
    probability: z.number().min(0).max(1).optional(),
    next: z.unknown().optional(),
  })
  .strict();

const shallowNode = z.object({ id, player: name, honest: id.optional(), moves: z.array(shallowMove).min(1) }).strict();

/** Where a node sits, as a list shared with its parent's (materialized only for a message). */
type Where = { key: string | number; up: Where } | null;

const keys = (w: Where, tail: (string | number)[]): (string | number)[] => {
  const out = [...tail];
  for (let at = w; at; at = at.up) out.unshift(at.key);
  return out;
};

/** The parsed tree under `raw`; on the first problem, `fail(path, message)`. */
export function parseTree(raw: unknown, fail: (path: (string | number)[], message: string) => never): NodeSpec {
  let root: NodeSpec | undefined;
  const stack: { raw: unknown; where: Where; attach: (n: NodeSpec) => void }[] = [
    { raw, where: { key: "root", up: null }, attach: (n) => (root = n) },
  ];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const parsed = shallowNode.safeParse(top.raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return fail(keys(top.where, issue.path), issue.message);
    }
    const node = parsed.data as NodeSpec;
    top.attach(node);
    for (let j = node.moves.length - 1; j >= 0; j--) {
      const move: MoveSpec = node.moves[j];
      if (move.next === undefined) continue;
      const where: Where = { key: "next", up: { key: j, up: { key: "moves", up: top.where } } };
      stack.push({ raw: move.next, where, attach: (n) => (move.next = n) });
    }
  }
  return root!;
}
