/**
 * Child process for the kill-and-resume tests: runs the loop on the fakes and SIGKILLs itself at `killAt`.
 * argv: <config.json> [killAt]
 */
import { readFile } from 'node:fs/promises';
import { parseRunConfig } from '../src/pipeline/config/load.ts';
import { runPipeline } from '../src/pipeline/loop.ts';
import { createFakeDeps } from './pipeline-fakes.ts';

const [configFile, killAt] = process.argv.slice(2);
if (!configFile) throw new Error('usage: kill-child.ts CONFIG.json [kind:n]');
const config = parseRunConfig(JSON.parse(await readFile(configFile, 'utf8')));
await runPipeline(config, createFakeDeps(killAt ? { killAt } : {}));
