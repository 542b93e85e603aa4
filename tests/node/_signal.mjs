// Copyright the denogo authors. MIT license.
// A program that waits for a signal, as on a Go signal.Notify channel: it
// prints "dry" once the event loop has nothing left to do, and the value
// once SIGUSR1 arrives.

import { Channel, main } from "../../npm/mod.js";

main(async () => {
  const ch = new Channel({ capacity: 1 });
  process.on("SIGUSR1", () => ch.trySend("signalled"));
  process.on("beforeExit", () => console.log("dry"));
  console.log((await ch.receive()).value);
});
