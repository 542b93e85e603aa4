// Copyright the denogo authors. MIT license.
// dumpOnSignal() under Node and Bun: a goroutine parked on a channel, main
// waiting for SIGUSR1; it prints "dry" once the event loop has nothing left
// to do. SIGQUIT prints the dump (stderr); SIGUSR1 ends the program.

import { Channel, dumpOnSignal, go, main } from "../../npm/mod.js";

dumpOnSignal();
main(async () => {
  const never = new Channel();
  go(async function stuck() {
    await never.receive();
  });
  const ch = new Channel({ capacity: 1 });
  process.on("SIGUSR1", () => ch.trySend("signalled"));
  process.once("beforeExit", () => console.log("dry"));
  console.log((await ch.receive()).value);
});
