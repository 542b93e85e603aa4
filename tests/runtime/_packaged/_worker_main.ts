// Copyright the denogo authors. MIT license.
// The runtime's worker entry, by its export: a bundle of this file, beside
// the bundle's chunks, is the `_worker_main.js` they start workers from;
// `deno compile --include` of it embeds the entry the workers load.

import "@denogo/go/runtime/worker";
