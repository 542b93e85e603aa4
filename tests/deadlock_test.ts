// Copyright the denogo authors. MIT license.

// The deadlock detector, program by program: each case is a small program
// run as a child `deno run` (the report ends the process, so only a whole
// process shows it). A true deadlock exits with code 2 and Go's report on
// stderr; a program that something outside the library can still wake
// finishes normally. Needs --allow-run and --allow-read (Deno.execPath()).

import assert from "node:assert/strict";
import { LIB, runProgram } from "./_program.ts";
import { sh } from "./_util.ts";

const HEADER = "fatal error: all goroutines are asleep - deadlock!\n\n";

/** Runs `body` as a program importing `names` from the library. */
function program(names: string, body: string): string {
  return `import { ${names} } from "${LIB}";\n${body}\n`;
}

/** Asserts that `source` deadlocks; returns the report (stderr). */
async function deadlocks(source: string, flags: string[] = []) {
  const { code, stdout, stderr } = await runProgram(source, flags);
  assert.equal(code, 2, `expected exit code 2\n${stdout}\n${stderr}`);
  assert(stderr.startsWith(HEADER), stderr);
  return { stdout, report: stderr.slice(HEADER.length) };
}

/** Asserts that `source` finishes with code 0 and prints `expected`. */
async function finishes(
  source: string,
  expected: string,
  flags: string[] = [],
) {
  const { code, stdout, stderr } = await runProgram(source, flags);
  assert.equal(code, 0, `expected exit code 0\n${stdout}\n${stderr}`);
  assert.equal(stderr, "");
  assert.equal(stdout, expected);
}

// Reported: Go's text, exit code 2. ---------------------------------------

Deno.test("deadlock: main() blocked on a receive nobody sends is reported as Go reports it", async () => {
  const { report } = await deadlocks(program(
    "Channel, main",
    `main(async () => { await new Channel<number>().receive(); });`,
  ));
  assert.equal(report, "goroutine 1 [chan receive]:\nmain(...)\n");
});

Deno.test("deadlock: without main(), a blocked main program is goroutine 1", async () => {
  const { report } = await deadlocks(program(
    "Channel",
    `(async () => { await new Channel<number>().send(1); })();`,
  ));
  assert.equal(report, "goroutine 1 [chan send]:\nmain(...)\n");
});

Deno.test("deadlock: the report lists every goroutine with what it waits on and who started it", async () => {
  const { report } = await deadlocks(program(
    "Channel, go, main, recv, select, send",
    `main(async () => {
      const a = new Channel<number>(), b = new Channel<number>();
      const c = new Channel<number>();
      go(async function sender() { await a.send(1); });
      go(async function chooser() { await select([recv(b), send(c, 1)]); });
      go(async function forever() { await select([]); });
      go(async function ranger() {
        for await (const _ of b);
      });
      go(function spawner() {
        go(async function grandchild() { await b.receive(); });
      });
      await new Channel<void>().receive();
    });`,
  ));
  assert.equal(
    report,
    [
      "goroutine 1 [chan receive]:\nmain(...)",
      "goroutine 2 [chan send]:\nsender(...)\ncreated by main in goroutine 1",
      "goroutine 3 [select]:\nchooser(...)\ncreated by main in goroutine 1",
      "goroutine 4 [select (no cases)]:\nforever(...)\ncreated by main in goroutine 1",
      "goroutine 5 [chan receive]:\nranger(...)\ncreated by main in goroutine 1",
      "goroutine 7 [chan receive]:\ngrandchild(...)\ncreated by spawner in goroutine 6",
    ].join("\n\n") + "\n",
  );
});

Deno.test("deadlock: a goroutine resumed by a channel and blocked again is named in the report", async () => {
  const { report } = await deadlocks(program(
    "Channel, go, main",
    `main(async () => {
      const ping = new Channel<number>();
      go(async function echo() {
        await ping.receive(); // Resumed by main's send, then blocks again.
        await ping.receive();
      });
      await ping.send(1);
      await new Channel<void>().receive();
    });`,
  ));
  assert.match(report, /^goroutine 2 \[chan receive\]:\necho\(\.\.\.\)$/m);
});

for (
  const [primitive, setup, reason] of [
    [
      "Mutex",
      "const mu = new Mutex(); await mu.lock(); await mu.lock();",
      "sync.Mutex.Lock",
    ],
    [
      "RWMutex read lock",
      "const rw = new RWMutex(); await rw.lock(); await rw.rLock();",
      "sync.RWMutex.RLock",
    ],
    [
      "RWMutex write lock",
      "const rw = new RWMutex(); await rw.rLock(); await rw.lock();",
      "sync.RWMutex.Lock",
    ],
    [
      "WaitGroup",
      "const wg = new WaitGroup(); wg.add(1); await wg.wait();",
      "sync.WaitGroup.Wait",
    ],
    [
      "Cond",
      "const mu = new Mutex(); await mu.lock(); await new Cond(mu).wait();",
      "sync.Cond.Wait",
    ],
    [
      "Semaphore",
      "const s = new Semaphore(1); await s.acquire(1); await s.acquire(1);",
      "semacquire",
    ],
    [
      "Once",
      "const once = new Once(); await once.do(async () => { await once.do(() => {}); });",
      "sync.Once.Do",
    ],
  ]
) {
  Deno.test(`deadlock: a ${primitive} nothing can release is reported as [${reason}]`, async () => {
    const { report } = await deadlocks(
      `import { main } from "${LIB}";
      import { Cond, Mutex, Once, RWMutex, Semaphore, WaitGroup } from "${
        new URL("../sync/mod.ts", import.meta.url).href
      }";
      main(async () => { ${setup} });`,
    );
    assert.match(report, new RegExp(`^goroutine 1 \\[${reason}\\]:\\nmain`));
  });
}

Deno.test("deadlock: an ErrGroup whose goroutines never finish is reported with them", async () => {
  const { report } = await deadlocks(
    `import { Channel, main } from "${LIB}";
    import { ErrGroup } from "${
      new URL("../sync/mod.ts", import.meta.url).href
    }";
    main(async () => {
      const group = new ErrGroup();
      const never = new Channel<void>();
      group.go(() => never.receive());
      await group.wait();
    });`,
  );
  assert.match(report, /^goroutine 1 \[sync\.WaitGroup\.Wait\]:/);
  assert.match(report, /\[chan receive\]:/);
});

Deno.test("deadlock: main() awaiting a goroutine that is blocked forever is reported", async () => {
  const { report } = await deadlocks(program(
    "Channel, go, main",
    `main(async () => {
      await go(async function stuck() { await new Channel<number>().receive(); });
    });`,
  ));
  assert.equal(
    report,
    "goroutine 1 [unknown]:\nmain(...)\n\n" +
      "goroutine 2 [chan receive]:\nstuck(...)\ncreated by main in goroutine 1\n",
  );
});

Deno.test("deadlock: main() awaiting a promise nothing can settle is reported", async () => {
  const { report } = await deadlocks(program(
    "main",
    `main(async () => { await new Promise(() => {}); });`,
  ));
  assert.equal(report, "goroutine 1 [unknown]:\nmain(...)\n");
});

Deno.test("deadlock: reported once a closed server can no longer send", async () => {
  await deadlocks(
    program(
      "Channel, main",
      `main(async () => {
        const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response());
        await server.shutdown();
        await new Channel<number>().receive();
      });`,
    ),
    ["--allow-net=127.0.0.1"],
  );
});

Deno.test("deadlock: after a wait that ends (a timer, a fetch), the blocked program is still reported", async () => {
  const { stdout } = await deadlocks(program(
    "Channel, main, sleep",
    `main(async () => {
      await sleep(5);
      await new Promise((resolve) => setTimeout(resolve, 5));
      console.log("slept");
      await new Channel<number>().receive();
    });`,
  ));
  assert.equal(stdout, "slept\n");
});

Deno.test("deadlock: after the last deadline context is cancelled, a real deadlock is still reported", async () => {
  const { stdout } = await deadlocks(program(
    "Channel, context, main",
    `main(async () => {
      const cancels = [];
      for (let i = 0; i < 3; i++) {
        cancels.push(context.withTimeout(context.background(), 60_000 + i)[1]);
      }
      for (const cancel of cancels) cancel();
      const [, cancel] = context.withDeadline(context.background(), Date.now() + 2 ** 40);
      cancel();
      console.log("cancelled");
      await new Channel<number>().receive();
    });`,
  ));
  assert.equal(stdout, "cancelled\n");
});

Deno.test("no deadlock: a goroutine waiting on a pending deadline context is woken by it", async () => {
  await finishes(
    program(
      "context, main",
      `main(async () => {
        const [ctx, cancel] = context.withTimeout(context.background(), 5);
        await ctx.done().receive();
        console.log(String(ctx.err()));
        cancel();
      });`,
    ),
    "DeadlineExceededError: context deadline exceeded\n",
  );
});

Deno.test("deadlock: with tracing on, the report shows where each goroutine was started and where it waits", async () => {
  const { report } = await deadlocks(program(
    "Channel, go, main, setGoroutineTracing",
    `setGoroutineTracing(true);
main(async () => {
  const ch = new Channel<number>();
  go(async function worker() {
    await ch.receive();
  });
  await new Channel<void>().receive();
});`,
  ));
  // A program read from stdin is $deno$stdin.mts, in the working folder.
  assert.equal(
    report,
    "goroutine 1 [chan receive]:\nmain(...)\n" +
      "\t$deno$stdin.mts:8:29\n\t$deno$stdin.mts:3:1\n\n" +
      "goroutine 2 [chan receive]:\nworker(...)\n" +
      "\tworker ($deno$stdin.mts:6:14)\n" +
      "created by main in goroutine 1\n\t$deno$stdin.mts:5:3\n",
  );
});

Deno.test("deadlock: setDeadlockDetection(false) lets a blocked program end as Deno ends it", async () => {
  await finishes(
    program(
      "Channel, setDeadlockDetection",
      `setDeadlockDetection(false);
      (async () => { await new Channel<number>().receive(); })();
      console.log("started");`,
    ),
    "started\n",
  );
});

Deno.test("deadlock: without main(), goroutines left blocked after the main program is done are not reported", async () => {
  // Go ends a program whose main returned, whatever its goroutines do.
  await finishes(
    program(
      "Channel, go",
      `go(async () => { await new Channel<number>().receive(); });
      console.log("done");`,
    ),
    "done\n",
  );
});

Deno.test("deadlock: a top-level await blocked forever gets Deno's own error, before the loop can report", async () => {
  // Deno does not dispatch beforeunload while a top-level await is pending;
  // main() is the way to get Go's report.
  const { code, stderr } = await runProgram(program(
    "Channel",
    `await new Channel<number>().receive();`,
  ));
  assert.equal(code, 1);
  assert.match(stderr, /Top-level await promise never resolved/);
});

// Not reported: something outside the library can still wake the program. --

/** A program whose main() receives one value that `feed` sends. */
function fed(feed: string, names = ""): string {
  return program(
    `Channel, go, main${names}`,
    `main(async () => {
      const ch = new Channel<string>();
      ${feed}
      console.log((await ch.receive()).value);
    });`,
  );
}

Deno.test("no deadlock: a plain async function awaiting Deno.readFile sends later", async () => {
  await finishes(
    fed(`(async () => {
      const bytes = await Deno.readFile(Deno.execPath());
      await ch.send(bytes.length > 0 ? "read" : "empty");
    })();`),
    "read\n",
    ["--allow-read"],
  );
});

Deno.test("no deadlock: a plain async function awaiting crypto.subtle.digest sends later", async () => {
  await finishes(
    fed(`(async () => {
      const digest = await crypto.subtle.digest("SHA-256", new Uint8Array(1 << 20));
      await ch.send(String(digest.byteLength));
    })();`),
    "32\n",
  );
});

Deno.test("no deadlock: a .then chain on an async operation sends later", async () => {
  await finishes(
    fed(`crypto.subtle.digest("SHA-1", new Uint8Array(8))
      .then((d) => d.byteLength)
      .then((n) => ch.send("digest " + n));`),
    "digest 20\n",
  );
});

Deno.test("no deadlock: a timer outside the library sends later", async () => {
  await finishes(
    fed(`setTimeout(() => ch.trySend("late"), 30);`),
    "late\n",
  );
});

Deno.test("no deadlock: AbortSignal.timeout(20) as the only pending thing ends the wait", async () => {
  await finishes(
    program(
      "Channel, main",
      `main(async () => {
        try {
          await new Channel<number>().receive({ signal: AbortSignal.timeout(20) });
        } catch (e) {
          console.log((e as Error).name);
        }
      });`,
    ),
    "TimeoutError\n",
  );
});

Deno.test("no deadlock: a local Deno.serve server and a fetch to it send later", async () => {
  await finishes(
    fed(
      `const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
        await ch.send(new URL(req.url).pathname);
        return new Response("ok");
      });
      go(async () => {
        const res = await fetch("http://127.0.0.1:" + server.addr.port + "/hello");
        await res.text();
        await server.shutdown();
      });`,
    ),
    "/hello\n",
    ["--allow-net=127.0.0.1"],
  );
});

Deno.test("no deadlock: a goroutine awaiting a fetch from a local server sends later", async () => {
  await finishes(
    fed(
      `const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("body"));
      go(async () => {
        const res = await fetch("http://127.0.0.1:" + server.addr.port + "/");
        await ch.send(await res.text());
        await server.shutdown();
      });`,
    ),
    "body\n",
    ["--allow-net=127.0.0.1"],
  );
});

Deno.test("no deadlock: a child process started with Deno.Command sends later", async () => {
  await finishes(
    fed(
      `new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "null" })
      .output().then((out) => ch.send("exit " + out.code));`,
    ),
    "exit 0\n",
    ["--allow-run", "--allow-read"],
  );
});

Deno.test("no deadlock: a Web Worker's message sends later", async () => {
  await finishes(
    fed(`const url = URL.createObjectURL(new Blob(
        ["setTimeout(() => postMessage('from worker'), 20);"],
        { type: "application/javascript" },
      ));
      const worker = new Worker(url, { type: "module" });
      worker.onmessage = (e) => {
        worker.terminate();
        ch.trySend(e.data);
      };`),
    "from worker\n",
  );
});

Deno.test("no deadlock: a BroadcastChannel message sends later", async () => {
  await finishes(
    fed(`const url = URL.createObjectURL(new Blob(
        ["new BroadcastChannel('news').postMessage('broadcast'); close();"],
        { type: "application/javascript" },
      ));
      const news = new BroadcastChannel("news");
      news.onmessage = (e) => {
        news.close();
        ch.trySend(e.data);
      };
      new Worker(url, { type: "module" });`),
    "broadcast\n",
  );
});

Deno.test("no deadlock: a signal listener sends later, as on a Go signal.Notify channel", async () => {
  const { code, stdout, stderr } = await runProgram(
    program(
      "Channel, main",
      `main(async () => {
        const ch = new Channel<string>({ capacity: 1 });
        Deno.addSignalListener("SIGUSR1", () => ch.trySend("signalled"));
        // Once the loop is dry, the test sends the signal.
        addEventListener("beforeunload", () => console.log("dry"));
        console.log((await ch.receive()).value);
      });`,
    ),
    [],
    { whenPrinted: { text: "dry\n", then: (c) => c.kill("SIGUSR1") } },
  );
  assert.equal(code, 0, stderr);
  assert.equal(stderr, "");
  assert.equal(stdout, "dry\nsignalled\n");
});

Deno.test("deadlock: reported once the last signal listener is removed", async () => {
  const { report } = await deadlocks(program(
    "Channel, main",
    `main(async () => {
      const ch = new Channel<string>();
      const listener = () => ch.trySend("never");
      Deno.addSignalListener("SIGUSR2", listener);
      let removed = false;
      addEventListener("beforeunload", () => {
        if (removed) return;
        removed = true;
        setTimeout(() => Deno.removeSignalListener("SIGUSR2", listener), 0);
      });
      await ch.receive();
    });`,
  ));
  assert.match(report, /^goroutine 1 \[chan receive\]:\nmain\(\.\.\.\)/);
});

Deno.test("no deadlock: a file watcher's event sends later", async () => {
  const dir = await sh("mktemp", "-d");
  try {
    const { code, stdout, stderr } = await runProgram(
      fed(`const watcher = Deno.watchFs(${JSON.stringify(dir)});
        (async () => {
          for await (const e of watcher) {
            watcher.close();
            await ch.send("event");
          }
        })();
        console.log("watching");`),
      [`--allow-read=${dir}`],
      {
        whenPrinted: {
          text: "watching\n",
          then: () => sh("touch", `${dir}/touched`),
        },
      },
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "watching\nevent\n");
  } finally {
    await sh("rm", "-r", dir);
  }
});

Deno.test("no deadlock: a WebSocket message sends later", async () => {
  await finishes(
    fed(
      `const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
        const { socket, response } = Deno.upgradeWebSocket(req);
        socket.onopen = () => setTimeout(() => socket.send("over the socket"), 20);
        return response;
      });
      const ws = new WebSocket("ws://127.0.0.1:" + server.addr.port);
      ws.onmessage = (e) => {
        ws.close();
        server.shutdown();
        ch.trySend(e.data);
      };`,
    ),
    "over the socket\n",
    ["--allow-net=127.0.0.1"],
  );
});

Deno.test("no deadlock: crypto.subtle.deriveBits sends later", async () => {
  await finishes(
    fed(`const key = await crypto.subtle.importKey(
        "raw", new Uint8Array(16), "PBKDF2", false, ["deriveBits"]);
      (async () => {
        const bits = await crypto.subtle.deriveBits(
          { name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(8), iterations: 200000 },
          key, 256);
        await ch.send("derived " + bits.byteLength);
      })();`),
    "derived 32\n",
  );
});

Deno.test("no deadlock: a read from a FIFO sends later", async () => {
  const dir = await sh("mktemp", "-d");
  const fifo = `${dir}/fifo`;
  await sh("mkfifo", fifo);
  try {
    const { code, stdout, stderr } = await runProgram(
      fed(`(async () => {
          const text = await Deno.readTextFile(${JSON.stringify(fifo)});
          await ch.send(text.trim());
        })();
        console.log("reading");`),
      [`--allow-read=${dir}`],
      {
        whenPrinted: {
          text: "reading\n",
          then: () => sh("sh", "-c", `echo through the fifo > ${fifo}`),
        },
      },
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout, "reading\nthrough the fifo\n");
  } finally {
    await sh("rm", "-r", dir);
  }
});

Deno.test("no deadlock: a Runtime task's result sends later", async () => {
  const tasks = new URL("./runtime/_tasks.ts", import.meta.url).href;
  await finishes(
    fed(
      `const rt = await Runtime.start({ procs: 1 });
      const t = rt.module<typeof import(${JSON.stringify(tasks)})>(${
        JSON.stringify(tasks)
      });
      (async () => {
        const n = await t.fib(20, 10);
        await rt.close();
        await ch.send("fib " + n);
      })();`,
      ", Runtime",
    ),
    "fib 6765\n",
    ["--allow-read"],
  );
});
