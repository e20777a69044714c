/**
 * A study spread over machines: `--shard k/N` runs every N-th unit and writes their rows to a shard
 * file; `experiments merge` reads the N files, checks that they are the N disjoint parts of one
 * request, and assembles the same report as a single run.
 *
 * The file keeps every number exact: JSON writes finite doubles so that they read back to the same
 * bits, and the non-finite ones (an infinite RelEff, a NaN regret) are written as tagged objects.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import type { StudySelection, UnitRows } from "./study";

export const SHARD_FORMAT = "clearhouse-study-shard/1";

export interface ShardFile {
  format: typeof SHARD_FORMAT;
  request: StudySelection;
  /** sha256 of the MovieLens file the units read (null: none), so shards run on other copies must agree. */
  movieLensSha256: string | null;
  shard: { k: number; count: number };
  units: UnitRows[];
}

export class ShardError extends Error {}

/** `k/N` with 1 <= k <= N. */
export function parseShard(text: string): { k: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || k < 1 || k > count) throw new ShardError(`--shard ${text}: expected k/N with 1 <= k <= N`);
  return { k, count };
}

export const fileSha256 = (file: string): string | null =>
  fs.existsSync(file) ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") : null;

const encode = (_key: string, v: unknown): unknown =>
  typeof v === "number" && !Number.isFinite(v) ? { nonFinite: String(v) } : v;
const decode = (_key: string, v: unknown): unknown =>
  v !== null && typeof v === "object" && "nonFinite" in v && Object.keys(v).length === 1
    ? Number((v as { nonFinite: string }).nonFinite)
    : v;

export const writeShard = (file: string, shard: ShardFile): void =>
  fs.writeFileSync(file, JSON.stringify(shard, encode) + "\n");

export function readShard(file: string): ShardFile {
  let parsed: ShardFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"), decode) as ShardFile;
  } catch (e) {
    throw new ShardError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (parsed?.format !== SHARD_FORMAT) throw new ShardError(`${file}: not a ${SHARD_FORMAT} file`);
  return parsed;
}

/**
 * The request and all unit rows of shard files that together are one whole study: the same
 * request, data and shard count, and each shard exactly once.
 */
export function mergeShards(files: string[]): { request: StudySelection; count: number; units: UnitRows[] } {
  if (files.length === 0) throw new ShardError("merge: no shard files given");
  const shards = files.map((f) => ({ file: f, shard: readShard(f) }));
  const first = shards[0].shard;
  const same = (s: ShardFile) =>
    JSON.stringify(s.request) === JSON.stringify(first.request) &&
    s.movieLensSha256 === first.movieLensSha256 &&
    s.shard.count === first.shard.count;
  for (const { file, shard } of shards)
    if (!same(shard)) throw new ShardError(`merge: ${file} is a shard of another run than ${shards[0].file}`);
  const count = first.shard.count;
  for (let k = 1; k <= count; k++) {
    const with_k = shards.filter((s) => s.shard.shard.k === k);
    if (with_k.length === 0) throw new ShardError(`merge: shard ${k}/${count} is missing`);
    if (with_k.length > 1)
      throw new ShardError(`merge: shard ${k}/${count} is given twice (${with_k.map((s) => s.file).join(", ")})`);
  }
  return { request: first.request, count, units: shards.flatMap((s) => s.shard.units) };
}
