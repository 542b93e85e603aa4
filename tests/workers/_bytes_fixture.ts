// Copyright the denogo authors. MIT license.
// A worker for tests/workers/shared_channel_bytes_test.ts: sends or
// receives strings through a channel whose ring fills by bytes first.

import { SharedChannel, type SharedChannelHandle } from "../../workers/mod.ts";
import { serveJobs } from "./_spawn.ts";

/**
 * One job: send `values` (one by one, or in one batch), receive `n`, or
 * `sendSync` one `bytes` value of `size` zero bytes.
 */
export type BytesJob =
  | {
    cmd: "send";
    ch: SharedChannelHandle<string>;
    values: string[];
    batch: boolean;
  }
  | { cmd: "recv"; ch: SharedChannelHandle<string>; n: number }
  | { cmd: "sendSize"; ch: SharedChannelHandle<Uint8Array>; size: number };

serveJobs((job: BytesJob) => {
  if (job.cmd === "sendSize") {
    SharedChannel.from(job.ch).sendSync(new Uint8Array(job.size));
    return job.size;
  }
  const ch = SharedChannel.from(job.ch);
  if (job.cmd === "send") {
    if (job.batch) ch.sendManySync(job.values);
    else for (const v of job.values) ch.sendSync(v);
    return job.values.length;
  }
  const got: string[] = [];
  for (let i = 0; i < job.n; i++) got.push(ch.recvSync().value!);
  return got;
});
