import { readFile } from 'node:fs/promises';
import { DataError } from '../core/index.ts';

/**
 * Reads a prompt a user supplies instead of ours (e.g. a benchmark's official one). `FILE` is used as it is, except a
 * Python file, which contributes its first triple-quoted string; `FILE.py#NAME` picks the string assigned to NAME
 * (e.g. `prompts.py#demo_prompt_score`).
 */
export async function loadPromptFile(spec: string): Promise<string> {
  const hash = spec.lastIndexOf('#');
  const file = hash > 0 ? spec.slice(0, hash) : spec;
  const name = hash > 0 ? spec.slice(hash + 1) : undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DataError(file, `cannot read the prompt file: ${(cause as Error).message}`, { cause });
  }
  if (!file.endsWith('.py')) return text;
  const strings = [...text.matchAll(/(\w+)\s*=\s*("""|''')([\s\S]*?)\2/g)];
  const found = name === undefined ? strings[0] : strings.find((m) => m[1] === name);
  if (!found) {
    throw new DataError(
      file,
      name ? `no triple-quoted string assigned to '${name}'` : 'no triple-quoted string found',
      {
        hint: 'point at a plain text file, or FILE.py#NAME naming a variable that holds a """...""" string',
      },
    );
  }
  return found[3] ?? '';
}
