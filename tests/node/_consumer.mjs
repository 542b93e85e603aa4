// Copyright the denogo authors. MIT license.
// A node:worker_threads worker: receives with recvSync until the channel
// closes, then posts what it got.

import { parentPort, workerData } from "node:worker_threads";
import { SharedChannel } from "../../npm/workers/mod.js";

const ch = SharedChannel.from(workerData);
const got = [];
for (let r = ch.recvSync(); r.ok; r = ch.recvSync()) got.push(r.value);
parentPort.postMessage(got);
