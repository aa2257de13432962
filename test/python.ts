import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The Python that tests needing Python packages (Hugging Face datasets, the upstream loaders) run: VLTHINK_PYTHON,
 * else the project's .venv that `npm run setup:python` builds (CI does), else python3 on PATH. A test whose packages
 * it lacks skips, saying so and naming this setting.
 */
const venvPython = resolve(import.meta.dirname, '../.venv/bin/python');

export const testPython = process.env.VLTHINK_PYTHON ?? (existsSync(venvPython) ? venvPython : 'python3');

export const testPythonHint = `${testPython} (run \`npm run setup:python\` to build .venv from the local wheel index, or set VLTHINK_PYTHON)`;
