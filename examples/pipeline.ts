// Copyright the denogo authors. MIT license.

/**
 * The squaring pipeline from "Go Concurrency Patterns: Pipelines and
 * cancellation" (the Go blog, 2014), stage for stage.
 *
 *     deno run examples/pipeline.ts          # gen(2, 3)
 *     deno run examples/pipeline.ts 1 2 3 4  # gen(1, 2, 3, 4)
 *
 * A pipeline is a series of stages connected by channels, where each stage
 * is a group of goroutines running the same function. Each stage receives
 * values from upstream via inbound channels, performs some function on that
 * data, and sends the values downstream via outbound channels.
 *
 * @module
 */

import { Channel, go, type ReceiveChannel } from "../mod.ts";

/**
 * The first stage, gen, converts a list of integers to a channel that emits
 * the integers in the list. It starts a goroutine that sends the integers
 * on the channel and closes the channel when all the values have been sent.
 */
export function gen(...nums: number[]): ReceiveChannel<number> {
  const out = new Channel<number>();
  go(async () => {
    for (const n of nums) await out.send(n);
    out.close();
  });
  return out;
}

/**
 * The second stage, sq, receives integers from a channel and returns a
 * channel that emits the square of each received integer. After the inbound
 * channel is closed and this stage has sent all the values downstream, it
 * closes the outbound channel.
 */
export function sq(input: ReceiveChannel<number>): ReceiveChannel<number> {
  const out = new Channel<number>();
  go(async () => {
    for await (const n of input) await out.send(n * n);
    out.close();
  });
  return out;
}

if (import.meta.main) {
  const nums = Deno.args.length > 0 ? Deno.args.map(Number) : [2, 3];

  // Set up the pipeline.
  const c = gen(...nums);
  const out = sq(c);

  // Consume the output: one receive per value, like Go's fmt.Println(<-out).
  console.log(`sq(gen(${nums.join(", ")})):`);
  for (let i = 0; i < nums.length; i++) {
    const { value } = await out.receive();
    console.log(value); // 4 then 9
  }

  // Since sq has the same type for its inbound and outbound channels, we can
  // compose it any number of times, and range over the result with for await.
  console.log(`sq(sq(gen(${nums.join(", ")}))):`);
  for await (const n of sq(sq(gen(...nums)))) {
    console.log(n); // 16 then 81
  }
}
