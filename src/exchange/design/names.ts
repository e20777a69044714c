/**
 * The two kinds of name in a game file. Node ids, move labels and profile names are free `id`s. A
 * player id or a contract state (and so every observed message) is also part of the designer's
 * variable names, `t:<player>:<state>` and `D:<player>`, so it may not contain ":".
 */
import { z } from "zod";

export const idSchema = z.string().min(1).max(64);

export const nameSchema = idSchema.refine((s) => !s.includes(":"), {
  message: '":" is reserved (the designer names its variables t:<player>:<state>)',
});
