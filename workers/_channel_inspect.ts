// Copyright the denogo authors. MIT license.
// This module is internal: it is not exported from the package.

/**
 * What `console.log` / `Deno.inspect` show for a `SharedChannel` (see
 * `../_inspect.ts`): its header words (`_channel_words.ts`) read with
 * `Atomics.load`, so the counts are those of every thread at that moment.
 * Blocked selects are not counted as waiting senders or receivers.
 *
 * @module
 */

import type { InspectValue } from "../_inspect.ts";
import {
  CAPACITY,
  CLOSED,
  ID,
  RECV_WAITING,
  SEND_WAITING,
} from "./_channel_words.ts";

/** The fields shown for a shared channel with header `h`. */
export function sharedChannelState(
  h: Int32Array,
  codec: string,
  size: number,
): Record<string, InspectValue> {
  return {
    id: Atomics.load(h, ID),
    codec,
    capacity: Atomics.load(h, CAPACITY),
    size,
    closed: Atomics.load(h, CLOSED) !== 0,
    waitingSenders: Atomics.load(h, SEND_WAITING),
    waitingReceivers: Atomics.load(h, RECV_WAITING),
  };
}
