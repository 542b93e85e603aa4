// Copyright the denogo authors. MIT license.
// A task module that fails to load in a worker: its top level throws.

/** Never runs: the module's top level throws first. */
export function never(): number {
  return 1;
}

throw new Error("this module fails to load");
