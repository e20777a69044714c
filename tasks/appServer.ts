/**
 * The web app's server (`hardhat app`, tasks/app.ts): bundles the page (src/app/main.ts, with esbuild, into the
 * git-ignored out/app/) and serves it on 127.0.0.1 with the page's configuration and the network's JSON-RPC on
 * the same origin. Proxying JSON-RPC, rather than pointing the page at the node, needs no CORS from the node; the
 * page then reads the chain and, on a development node, sends from the node's own unlocked accounts. Node-only:
 * the page's code is in src/app.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { AppConfig } from "../src/app/config";

/** What the page is told at start (`/config.json`): the page's own type, so the two cannot drift apart. */
export type AppServerConfig = AppConfig;

/** Bundles the page into `outDir` (minified, for browsers, offline: every dependency is in the bundle). */
export async function buildPage(root: string, outDir: string): Promise<void> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [path.join(root, "src", "app", "main.ts")],
    outfile: path.join(outDir, "main.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  });
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/**
 * Serves the page, its bundle, `/config.json` and `/rpc` on 127.0.0.1:`port` (0: a free one); resolves with
 * the server once it listens.
 */
export async function serveApp(
  hre: HardhatRuntimeEnvironment,
  config: AppServerConfig,
  port: number,
  outDir: string,
): Promise<http.Server> {
  const pageDir = path.join(hre.config.paths.root, "src", "app");
  const files: Record<string, string> = {
    "/": path.join(pageDir, "index.html"),
    "/style.css": path.join(pageDir, "style.css"),
    "/main.js": path.join(outDir, "main.js"),
  };
  // The node's own endpoint, not Hardhat's provider: a network with configured keys would sign for the page.
  const url = (hre.network.config as { url: string }).url;
  const rpc = (body: string): Promise<string> =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body }).then((r) => r.text());

  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, {
        "content-type": type,
        "cache-control": "no-store",
        // No other page may frame the app: a framed page is same-origin to its RPC and could trick a click.
        "x-frame-options": "DENY",
        "content-security-policy": "frame-ancestors 'none'",
      });
      res.end(body);
    };
    const route = (req.url ?? "/").split("?")[0];
    // Only this page may use the node through the app: another site's request (its Origin), or a name that is
    // not the loopback address (DNS rebinding), is refused, since a development node signs for anyone.
    const host = req.headers.host ?? "";
    const origin = req.headers.origin;
    const local = [`127.0.0.1:${portOf(server)}`, `localhost:${portOf(server)}`].includes(host);
    if (!local || (origin !== undefined && origin !== `http://${host}`)) {
      return send(
        403,
        "text/plain",
        `only the app's own page (http://127.0.0.1:${portOf(server)}/) may use this server`,
      );
    }
    if (req.method === "POST" && route === config.rpcPath) {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        rpc(Buffer.concat(chunks).toString("utf8")).then(
          (answer) => send(200, "application/json", answer),
          (e: Error) => send(502, "text/plain", `the node did not answer: ${e.message.split("\n")[0]}`),
        );
      });
      return;
    }
    if (req.method !== "GET") return send(405, "text/plain", "GET or POST /rpc only");
    if (route === "/config.json") return send(200, "application/json", JSON.stringify(config));
    const file = files[route];
    if (!file || !fs.existsSync(file)) return send(404, "text/plain", "not found");
    send(200, TYPES[path.extname(file)] ?? "application/octet-stream", fs.readFileSync(file));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return server;
}

/** The port a listening server got. */
export const portOf = (server: http.Server): number => (server.address() as AddressInfo).port;
