#!/usr/bin/env node
// `npm run bench -- NAME...`: runs the benchmarks in bench/, printing one JSON line per figure.
import { register } from 'tsx/esm/api';

register();
await import('../bench/main.ts');
