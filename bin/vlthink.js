#!/usr/bin/env node
// vlthink runs the compiled JavaScript in dist/ (`npm run build`; `npm install` builds it through `prepare`). In a
// checkout whose sources changed after the last build, it runs the TypeScript sources through tsx instead, so an edit
// is never shadowed by a stale build (that path starts slower; `npm run build` makes it fast again).
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/.build-stamp', root);

/** Newest modification time (ms) of the .ts files under `dir`, or Infinity as soon as one is newer than `limit`. */
function newestSource(dir, limit) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    const t = entry.isDirectory() ? newestSource(path, limit) : entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0;
    if (t > limit) return Number.POSITIVE_INFINITY;
    if (t > newest) newest = t;
  }
  return newest;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : -1;
if (built >= 0 && newestSource(new URL('src/', root), built) <= built) {
  await import('../dist/cli/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
