// Copyright the denogo authors. MIT license.

// Runs a small program as a child `deno run`, for what only a whole process
// shows: how it ends (the deadlock report, `main()`'s exit). The program's
// source is given inline and read from stdin; `LIB` is this library's mod.ts
// for its imports.

/** The URL of the library's entry point, for a program's imports. */
export const LIB: string = new URL("../mod.ts", import.meta.url).href;

/** How a program ended. */
export interface Ended {
  code: number;
  stdout: string;
  stderr: string;
}

/** What to do while the program runs. */
export interface RunOptions {
  /** Runs `then` once the program's stdout contains `text`. */
  whenPrinted?: { text: string; then: (child: Deno.ChildProcess) => unknown };
}

/**
 * Runs `source` with `deno run` and the given permission flags; resolves
 * with its exit code and output (colours off).
 */
export async function runProgram(
  source: string,
  flags: string[] = [],
  options: RunOptions = {},
): Promise<Ended> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-config", ...flags, "-"],
    // The program is $deno$stdin.mts in the working folder: tests/, so that
    // its frames are not taken for the library's own.
    cwd: new URL(".", import.meta.url),
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(source));
  await writer.close();
  const stderr = new Response(child.stderr).text();
  let stdout = "";
  const when = options.whenPrinted;
  let done = when === undefined;
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    stdout += decoder.decode(chunk, { stream: true });
    if (!done && stdout.includes(when!.text)) {
      done = true;
      await when!.then(child);
    }
  }
  const { code } = await child.status;
  return { code, stdout, stderr: await stderr };
}
