// Copyright the denogo authors. MIT license.
// poolifier's worker: the same task as tasks.mjs, wrapped as poolifier
// requires (a ThreadWorker around the task function).

import { ThreadWorker } from "poolifier";
import task from "./tasks.mjs";

export default new ThreadWorker(task);
