import { describe, expect, it } from 'vitest';
import { problemText } from '../data/problem-text.ts';
import { generateDataset } from '../world/index.ts';
import { captionReaderPrompt, createCaptionReaderBackend, parseReaderPrompt } from './caption-reader-backend.ts';
import type { GenerationParams } from './types.ts';

const params: GenerationParams = { n: 4, temperature: 1, topP: 1, maxTokens: 400, seed: 5 };
const answerOf = (t: string) => t.match(/<answer> (.*) <\/answer>$/)?.[1];

describe('createCaptionReaderBackend', () => {
  const records = generateDataset({ n: 40, seed: 17, split: 'train', imageSize: 16 });
  const prompts = records.map((r) => captionReaderPrompt(r.problem));

  it('answers every prompt built from a noise-free caption correctly, n samples each', async () => {
    const out = await createCaptionReaderBackend().generate(prompts, params);
    expect(out).toHaveLength(records.length);
    out.forEach((samples, i) => {
      expect(samples).toHaveLength(4);
      for (const s of samples) {
        expect(answerOf(s.text)).toBe(records[i].problem.answer);
        expect(s.finishReason).toBe('stop');
      }
    });
  });

  it('is seeded by params.seed and independent of the batch order', async () => {
    const backend = createCaptionReaderBackend();
    const a = await backend.generate(prompts.slice(0, 6), params);
    const b = await backend.generate(prompts.slice(0, 6).reverse(), params);
    expect(a.map((s) => s.map((c) => c.text))).toEqual(b.reverse().map((s) => s.map((c) => c.text)));
    const other = await backend.generate(prompts.slice(0, 6), { ...params, seed: 6 });
    expect(other.map((s) => s.map((c) => c.text))).not.toEqual(a.map((s) => s.map((c) => c.text)));
  });

  it('samples varied traces, and one trace n times at greedy temperature', async () => {
    const backend = createCaptionReaderBackend();
    const [varied] = await backend.generate([prompts[0]], { ...params, n: 12 });
    expect(new Set(varied.map((c) => c.text)).size).toBeGreaterThan(2);
    const [greedy] = await backend.generate([prompts[0]], { ...params, n: 3, temperature: 0.01 });
    expect(new Set(greedy.map((c) => c.text)).size).toBe(1);
  });

  it('cuts at maxTokens with finishReason length, and at stop strings', async () => {
    const backend = createCaptionReaderBackend();
    const [[cut]] = await backend.generate([prompts[0]], { ...params, n: 1, maxTokens: 5 });
    expect(cut.finishReason).toBe('length');
    expect(cut.text.split(' ').length).toBeLessThanOrEqual(5);
    const [[stopped]] = await backend.generate([prompts[0]], { ...params, n: 1, stop: ['</think>'] });
    expect(stopped.text).not.toContain('</think>');
    expect(stopped.text.startsWith('<think>')).toBe(true);
  });
});

describe('parseReaderPrompt', () => {
  it('reads the data package problem text with a caption line in front', () => {
    const [{ problem }] = generateDataset({ n: 1, seed: 3, imageSize: 16, families: ['clock'], tiers: ['medium'] });
    const text = `Caption: ${problem.caption}\n${problemText(problem)}`;
    const parsed = parseReaderPrompt(text);
    expect(parsed).toEqual({ caption: problem.caption, question: problem.question, choices: problem.choices });
  });

  it('ignores instruction lines around the labelled layout, and an empty caption stays empty', () => {
    const text =
      'caption: the image shows 2 red circles .\nquestion: how many red circles are there ?\n(A) 1\n(B) 2\n' +
      'Reason step by step inside <think> </think>, then give the final answer inside <answer> </answer>.';
    expect(parseReaderPrompt(text)).toEqual({
      caption: 'the image shows 2 red circles .',
      question: 'how many red circles are there ?',
      choices: ['1', '2'],
    });
    expect(parseReaderPrompt('caption: \nquestion: how many red circles are there ?\nsome instruction').caption).toBe(
      '',
    );
  });

  it('finds an unlabelled question and takes the other line as caption', () => {
    const parsed = parseReaderPrompt('the image shows 2 red circles .\nhow many red circles are there ?');
    expect(parsed).toEqual({
      caption: 'the image shows 2 red circles .',
      question: 'how many red circles are there ?',
      choices: null,
    });
  });
});
