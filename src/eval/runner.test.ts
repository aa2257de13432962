import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasSharedData, sharedDataDir, sharedDataSkipReason } from '../../test/shared-data.ts';
import type { Completion, GenerationBackend, GenerationParams, Prompt } from '../backends/types.ts';
import { BENCHMARKS, type BenchSource, type ScoreContext } from './benchmarks.ts';
import { pyFloatRepr, pyRound } from './python-compat.ts';
import { EvalGeneration, runEval } from './runner.ts';

/** A scripted generator: answers each prompt through `answer(text)`, recording every call. */
function fakeBackend(answer: (text: string, prompt: Prompt) => string) {
  const calls: { prompts: readonly Prompt[]; params: GenerationParams }[] = [];
  const backend: GenerationBackend = {
    id: 'fake',
    async generate(prompts, params) {
      calls.push({ prompts, params });
      return prompts.map((p): Completion[] => {
        const content = p[0]?.content;
        const text = Array.isArray(content)
          ? content.map((c) => (c.type === 'text' ? c.text : '')).join('')
          : String(content);
        return [{ text: answer(text, p), finishReason: 'stop' }];
      });
    },
  };
  return { backend, calls };
}

const source: BenchSource = { dataDir: sharedDataDir, world: { n: 12, seed: 3, imageSize: 32 } };
const ctx: Omit<ScoreContext, 'signal'> = { mode: 'official', integerRule: 'current', concurrency: 2 };
const generation = EvalGeneration.parse({ batchSize: 5, concurrency: 2 });

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vlthink-eval-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('eval runner', () => {
  it('scores the world test split per family and tier, and resumes from the response cache', async () => {
    const items = await BENCHMARKS.world.load(source);
    const gold = new Map(items.map((i) => [i.problem.id, i.problem.answer]));
    // Right on every other problem (by position), tagged the way the model is trained to answer.
    const ids = items.map((i) => i.problem.id);
    const { backend, calls } = fakeBackend((_text, prompt) => {
      const content = prompt[0]?.content;
      const image = Array.isArray(content) && content[0]?.type === 'image' ? content[0].image : undefined;
      const item = items.find((i) => i.images[0] === image);
      const id = item?.problem.id ?? '';
      const right = ids.indexOf(id) % 2 === 0;
      return `<think>counting</think> <answer>${right ? gold.get(id) : 'nope'}</answer>`;
    });
    const first = await runEval({ bench: BENCHMARKS.world, items, backend, generation, score: ctx, outDir: dir });
    expect(first.generated).toBe(12);
    expect(first.score.summary.correct).toBe(6);
    expect(first.score.summary.total).toBe(12);
    expect(Object.keys(first.score.summary.groups)).toEqual(['family', 'tier', 'family x tier']);
    // Greedy by default, batches of 5, images passed as PNG bytes, the think/answer instruction at the end.
    expect(calls.map((c) => c.prompts.length)).toEqual([5, 5, 2]);
    expect(calls[0]?.params).toMatchObject({ n: 1, temperature: 0, topK: 1, maxTokens: 2048 });
    const content = calls[0]?.prompts[0]?.[0]?.content;
    expect(Array.isArray(content) && content[0]?.type === 'image' && 'bytes' in content[0].image).toBe(true);
    const predictions = (await readFile(join(dir, 'world', 'predictions.jsonl'), 'utf8')).trim().split('\n');
    expect(predictions).toHaveLength(12);
    expect(JSON.parse(predictions[1] ?? '{}')).toMatchObject({ extraction: 'nope', correct: false });
    // Every row's verdict follows from the fake's rule: right exactly on the even positions.
    expect(predictions.map((line) => JSON.parse(line).correct)).toEqual(ids.map((_, i) => i % 2 === 0));
    const summary = JSON.parse(await readFile(join(dir, 'world', 'summary.json'), 'utf8'));
    expect(summary.accuracy).toBe(50);

    // A torn last line (a crash mid-append) is ignored; everything else comes from the cache.
    await appendFile(join(dir, 'world', 'responses.jsonl'), '{"id":"w3-test-0","ke');
    const again = await runEval({ bench: BENCHMARKS.world, items, backend, generation, score: ctx, outDir: dir });
    expect(again).toMatchObject({ generated: 0, cached: 12 });
    expect(again.score.summary.correct).toBe(6);
    expect(calls).toHaveLength(3);
  });

  it('regenerates only the problems whose prompt changed (a different sampling setting misses the cache)', async () => {
    const items = (await BENCHMARKS.world.load(source)).slice(0, 4);
    const { backend, calls } = fakeBackend(() => '<answer>1</answer>');
    await runEval({ bench: BENCHMARKS.world, items: items.slice(0, 2), backend, generation, score: ctx, outDir: dir });
    const grown = await runEval({ bench: BENCHMARKS.world, items, backend, generation, score: ctx, outDir: dir });
    expect(grown).toMatchObject({ generated: 2, cached: 2 });
    const hotter = await runEval({
      bench: BENCHMARKS.world,
      items,
      backend,
      generation: { ...generation, temperature: 0.7 },
      score: ctx,
      outDir: dir,
    });
    expect(hotter.generated).toBe(4);
    expect(calls.flatMap((c) => c.prompts)).toHaveLength(8);
  });

  it('refuses a missing or undecodable image before generating anything, naming the problem', async () => {
    const [item] = await BENCHMARKS.world.load(source);
    if (!item) throw new Error('no world item');
    const bad = join(dir, 'bad.png');
    await writeFile(bad, 'not an image');
    const { backend, calls } = fakeBackend(() => '<answer>1</answer>');
    const run = (path: string) =>
      runEval({
        bench: BENCHMARKS.world,
        items: [{ problem: item.problem, images: [{ path }] }],
        backend,
        generation,
        score: ctx,
        outDir: dir,
      });
    await expect(run(join(dir, 'missing.png'))).rejects.toThrow(
      `image of world problem '${item.problem.id}' not found`,
    );
    await expect(run(bad)).rejects.toThrow(/cannot be decoded/);
    expect(calls).toHaveLength(0);
  });
});

describe.skipIf(!hasSharedData)(
  `eval runner on MATH-V testmini (${hasSharedData ? 'shared data' : sharedDataSkipReason})`,
  () => {
    it('sends the real images with the hinted prompt and writes the official result layout', async () => {
      const items = (await BENCHMARKS['mathvision-testmini'].load(source)).slice(0, 10);
      const { backend, calls } = fakeBackend((text) =>
        text.includes('(A)') || /options/i.test(text) ? 'The answer is A.' : '\\boxed{2}',
      );
      const run = await runEval({
        bench: BENCHMARKS['mathvision-testmini'],
        items,
        backend,
        generation,
        score: ctx,
        outDir: dir,
      });
      expect(run.score.summary.total).toBe(10);
      // The fake answers A to a multiple-choice problem and 2 to any other: the right count follows from the gold.
      const right = items.map((i) => (i.problem.choices ? i.problem.answer === 'A' : i.problem.answer === '2'));
      expect(right.filter(Boolean)).toHaveLength(1);
      expect(run.score.summary.correct).toBe(1);
      const rows = (await readFile(join(dir, 'mathvision-testmini', 'predictions.jsonl'), 'utf8')).trim().split('\n');
      expect(rows.map((line) => JSON.parse(line).correct)).toEqual(right);
      const first = calls[0]?.prompts[0]?.[0]?.content;
      expect(
        Array.isArray(first) &&
          first[0]?.type === 'image' &&
          'path' in first[0].image &&
          first[0].image.path.endsWith('.jpg'),
      ).toBe(true);
      expect(Array.isArray(first) && first.at(-1)?.type === 'text').toBe(true);
      const scores = JSON.parse(await readFile(join(dir, 'mathvision-testmini', 'scores.json'), 'utf8'));
      const c = run.score.summary.correct;
      expect(scores['-all']).toBe(`${c}/10=${pyFloatRepr(pyRound((c / 10) * 100, 2))}%`);
    });
  },
);
