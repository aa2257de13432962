import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPromptFile } from './prompt-file.ts';

describe('prompt files', () => {
  it('reads text files whole and picks triple-quoted strings out of Python files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-prompt-'));
    try {
      await writeFile(join(dir, 'p.txt'), 'Extract the answer.\n');
      await writeFile(join(dir, 'p.py'), 'a = 1\nfirst = """\nONE {x}\n"""\n\nsecond = \'\'\'TWO\'\'\'\n');
      expect(await loadPromptFile(join(dir, 'p.txt'))).toBe('Extract the answer.\n');
      expect(await loadPromptFile(join(dir, 'p.py'))).toBe('\nONE {x}\n');
      expect(await loadPromptFile(`${join(dir, 'p.py')}#second`)).toBe('TWO');
      await expect(loadPromptFile(`${join(dir, 'p.py')}#third`)).rejects.toThrow(
        /no triple-quoted string assigned to 'third'/,
      );
      await expect(loadPromptFile(join(dir, 'nope.txt'))).rejects.toThrow(/cannot read the prompt file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
