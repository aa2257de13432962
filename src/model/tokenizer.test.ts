import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTokenizer, loadTokenizer, pretokenize, saveTokenizer } from './index.ts';

const corpus = ['How many red circles are there?', 'The answer is', "the bar's height", 'x-axis', 'Wait, count again'];

describe('tokenizer', () => {
  const tok = createTokenizer(corpus);

  it('splits digits one by one and keeps tags and specials whole', () => {
    expect(pretokenize('<think>12 + 3.5</think><answer>15.5</answer>')).toEqual([
      '<think>',
      '1',
      '2',
      '+',
      '3',
      '.',
      '5',
      '</think>',
      '<answer>',
      '1',
      '5',
      '.',
      '5',
      '</answer>',
    ]);
    expect(tok.vocab.slice(0, 4)).toEqual(['<pad>', '<bos>', '<eos>', '<unk>']);
    expect(tok.encode('12')).toEqual([tok.id('1'), tok.id('2')]);
  });

  it('reproduces world-style text (single spaces, digits of a number together) through encode then decode', () => {
    const text =
      '<think> How many red circles are there ? 12 , x-axis . Wait , count again </think>\n<answer> 42 </answer>';
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.decode(tok.encode('  the   answer\tis  7.'))).toBe('the answer is 7 .');
    const ids = tok.encode("the bar's height is 305 ( 3 % )");
    expect(tok.encode(tok.decode(ids))).toEqual(ids);
  });

  it('maps unknown words to <unk>, falls back to lowercase, never throws', () => {
    expect(tok.encode('zebra')).toEqual([tok.unk]);
    expect(tok.encode('HOW')).toEqual([tok.id('How')]);
    expect(tok.id('How')).not.toBe(tok.unk);
    expect(tok.decode([tok.bos, ...tok.encode('zebra lion'), tok.eos, 9999])).toBe('<unk> <unk> <unk>');
    expect(tok.decode([tok.bos, tok.id('1'), tok.id('2')], { keepSpecial: true })).toBe('<bos> 12');
    expect(tok.encode('')).toEqual([]);
    expect(tok.encode('日本 🙂')).toEqual([tok.unk, tok.unk, tok.unk]);
  });

  it('adds <bos>/<eos> on request and saves/loads the same vocabulary', async () => {
    const ids = tok.encode('Wait, count again', { bos: true, eos: true });
    expect(ids[0]).toBe(tok.bos);
    expect(ids.at(-1)).toBe(tok.eos);
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-tok-'));
    await saveTokenizer(join(dir, 'tokenizer.json'), tok);
    const back = await loadTokenizer(join(dir, 'tokenizer.json'));
    expect(back.vocab).toEqual(tok.vocab);
    expect(back.encode('Wait, count again', { bos: true, eos: true })).toEqual(ids);
    await expect(loadTokenizer(join(dir, 'missing.json'))).rejects.toThrow(/cannot read tokenizer/);
  });
});
