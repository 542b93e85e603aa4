// Copyright the denogo authors. MIT license.

// Tier 1 and the shared tier in a real headless browser: esbuild bundles a
// page script for the browser platform, a local Deno.serve serves it with
// COOP/COEP headers (cross-origin isolation, for SharedArrayBuffer), and
// chromium's `--dump-dom` prints the DOM the script wrote its results into.
// Ignored when chromium is absent (install: `apt-get install -y chromium`).

import assert from "node:assert/strict";
import { build } from "esbuild";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(
  (p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  },
);

const PAGE = `
import { Channel } from "./channel.ts";
import { go } from "./scheduler.ts";
import { recv, select } from "./select.ts";
import { SharedChannel } from "./workers/mod.ts";
const out = [];
const ch = new Channel(1);
go(async () => { for (let i = 0; i < 3; i++) await ch.send(i); ch.close(); });
for await (const v of ch) out.push(v);
const c2 = new Channel(1);
await c2.send("s");
await select([recv(c2, (v) => out.push(v))]);
out.push(String(crossOriginIsolated));
const sc = new SharedChannel({ capacity: 4, codec: "int32" });
await sc.send(7);
out.push((await sc.receive()).value);
document.body.textContent = "RESULT:" + JSON.stringify(out);
`;

Deno.test({
  name:
    "tier 1 and SharedChannel run in headless chromium (cross-origin isolated)",
  ignore: CHROMIUM === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = new URL("../../", import.meta.url).pathname;
    const bundle = await build({
      stdin: { contents: PAGE, resolveDir: root, loader: "ts" },
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
    });
    const js = bundle.outputFiles[0].text;
    const headers = {
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    };
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen() {} },
      (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/page.js") {
          return new Response(js, {
            headers: { ...headers, "content-type": "text/javascript" },
          });
        }
        return new Response(
          `<!doctype html><body>pending</body><script type="module" src="/page.js"></script>`,
          { headers: { ...headers, "content-type": "text/html" } },
        );
      },
    );
    try {
      const out = await new Deno.Command(CHROMIUM!, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--virtual-time-budget=5000",
          "--dump-dom",
          `http://127.0.0.1:${server.addr.port}/`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dom = new TextDecoder().decode(out.stdout);
      const m = dom.match(/RESULT:(\[[^<]*\])/);
      assert(m, `no result in the page:\n${dom}`);
      assert.deepEqual(JSON.parse(m[1]), [0, 1, 2, "s", "true", 7]);
    } finally {
      await server.shutdown();
    }
  },
});
