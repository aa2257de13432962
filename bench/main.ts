/**
 * `npm run bench -- [NAME...]`: each benchmark prints JSON lines (one per figure set) on stdout.
 * Benchmarks compare against a reference measured in the same process or script: ratios, not absolute numbers.
 */
type Bench = () => Promise<void>;

const benches: Record<string, () => Promise<{ run: Bench }>> = {
  data: () => import('./data.ts'),
  cli: () => import('./cli.ts'),
  'data-io': () => import('./data-io.ts'),
  engine: () => import('./engine.ts'),
  'engine-profile': () => import('./engine-profile.ts'),
  eval: () => import('./eval.ts'),
  grpo: () => import('./grpo.ts'),
  'reward-server': () => import('./reward-server.ts'),
  serve: () => import('./serve.ts'),
  run: () => import('./run.ts'),
  ablations: () => import('./ablations.ts'),
  verify: () => import('./verify.ts'),
};

const names = process.argv.slice(2);
const selected = names.length > 0 ? names : Object.keys(benches);
for (const name of selected) {
  const load = benches[name];
  if (!load) {
    process.stderr.write(`unknown benchmark '${name}'; known: ${Object.keys(benches).join(', ') || '(none yet)'}\n`);
    process.exitCode = 2;
    continue;
  }
  await (await load()).run();
}
