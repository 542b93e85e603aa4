// Copyright the denogo authors. MIT license.

/** The path of Debian's headless-capable chromium, or undefined if absent. */
export const CHROMIUM: string | undefined = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});
