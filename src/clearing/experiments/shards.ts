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

/** Whether `sel` reads the MovieLens file (its path and hash matter only then). */
export const readsMovieLens = (sel: StudySelection): boolean => !sel.only || sel.only.includes("movielens");

/** The request as a shard records it: the MovieLens path only when the study reads the file. */
export const shardRequest = (sel: StudySelection): StudySelection =>
  readsMovieLens(sel) ? sel : { ...sel, movieLens: "(not read)" };

/** The first field in which two requests differ, for the error that names it. */
function differingField(a: StudySelection, b: StudySelection): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof StudySelection)[];
  return keys.find((k) => k !== "movieLens" && JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/**
 * The request and all unit rows of shard files that together are one whole study: the same
 * request and shard count, the same MovieLens data (by sha256, whatever its path on each machine),
 * each shard exactly once. `movieLens` is the data file this merge reads (default: the path the
 * shards recorded); it must be the data the shards read.
 */
export function mergeShards(
  files: string[],
  movieLens?: string,
): { request: StudySelection; count: number; units: UnitRows[] } {
  if (files.length === 0) throw new ShardError("merge: no shard files given");
  const shards = files.map((f) => ({ file: f, shard: readShard(f) }));
  const first = shards[0].shard;
  for (const { file, shard } of shards) {
    const other = `merge: ${file} is a shard of another run than ${shards[0].file}`;
    const field = differingField(shard.request, first.request);
    if (field) throw new ShardError(`${other} (its ${field} differs)`);
    if (shard.shard.count !== first.shard.count) throw new ShardError(`${other} (its shard count differs)`);
    if (shard.movieLensSha256 !== first.movieLensSha256) throw new ShardError(`${other} (its MovieLens data differs)`);
  }
  const count = first.shard.count;
  for (let k = 1; k <= count; k++) {
    const withK = shards.filter((s) => s.shard.shard.k === k);
    if (withK.length === 0) throw new ShardError(`merge: shard ${k}/${count} is missing`);
    if (withK.length > 1)
      throw new ShardError(`merge: shard ${k}/${count} is given twice (${withK.map((s) => s.file).join(", ")})`);
  }
  const request = { ...first.request, ...(movieLens && readsMovieLens(first.request) ? { movieLens } : {}) };
  if (readsMovieLens(request)) {
    const sha = fileSha256(request.movieLens);
    if (sha === null) throw new ShardError(`merge: cannot read the MovieLens file ${request.movieLens} (--movielens)`);
    if (sha !== first.movieLensSha256)
      throw new ShardError(`merge: ${request.movieLens} is not the MovieLens data the shards read (sha256 differs)`);
  }
  return { request, count, units: shards.flatMap((s) => s.shard.units) };
}
