// Copyright the denogo authors. MIT license.
// A program that deadlocks: main() waits on a channel nobody sends on.

import { Channel, main } from "../../npm/mod.js";

main(async () => {
  const ch = new Channel();
  await ch.receive();
});
