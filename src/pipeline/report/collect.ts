import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { readJsonlAll } from '../../data/jsonl.ts';
import { Problem } from '../../data/types.ts';
import { paths } from '../paths.ts';
import { resolveImage } from '../prompts.ts';
import { EvalRecord, EvalSummary } from '../stages/evaluate.ts';
import { type RunStatus, readRunStatus } from '../status.ts';
import type { ChartPoint } from './charts.ts';

/** Everything the report shows, read from a run directory (finished or not). */
export interface ReportData {
  readonly status: RunStatus;
  readonly evals: EvalSummary[];
  /** GRPO step metrics of every RL stage, with `stage` and `step` normalized. */
  readonly rlSteps: ChartPoint[];
  readonly filters: Array<{ round: number; stats: FilterStatsFile }>;
  readonly gallery: GalleryItem[];
}

export interface FilterStatsFile {
  readonly candidates: number;
  readonly kept: number;
  readonly truncated: number;
  readonly dropped: Record<string, number>;
  readonly meanWordsBefore: number;
  readonly meanWordsAfter: number;
}

export interface GalleryItem {
  readonly round: number;
  readonly problem: Problem;
  /** `data:` URI of the problem's first image, or null. */
  readonly image: string | null;
  readonly before: { checkpoint: string; text: string; correct: boolean; extracted: string | null };
  readonly after: { checkpoint: string; text: string; correct: boolean; extracted: string | null };
}

const EVAL_KEY = /^round-(\d+)\/eval-(.+)$/;

export async function collectReportData(runDir: string, galleryMax = 8): Promise<ReportData> {
  const status = await readRunStatus(runDir);
  const { manifest } = status;
  const evals: EvalSummary[] = [];
  for (const key of manifest.order) {
    const m = EVAL_KEY.exec(key);
    if (!m || manifest.stages[key]?.state !== 'done') continue;
    const file = join(runDir, paths.evalSummary(Number(m[1]), m[2] ?? ''));
    if (existsSync(file)) evals.push(EvalSummary.parse(JSON.parse(await readFile(file, 'utf8'))));
  }
  return {
    status,
    evals,
    rlSteps: await readRlSteps(runDir),
    filters: await readFilters(runDir, status),
    gallery: await buildGallery(runDir, evals, galleryMax),
  };
}

async function readRlSteps(runDir: string): Promise<ChartPoint[]> {
  const file = join(runDir, paths.metrics);
  if (!existsSync(file)) return [];
  const out: ChartPoint[] = [];
  const perStage = new Map<string, number>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    const m = JSON.parse(line) as Record<string, string | number>;
    const stage = String(m.stage ?? '');
    if (!/\/rl-/.test(stage)) continue;
    const i = perStage.get(stage) ?? 0;
    perStage.set(stage, i + 1);
    const num = (...keys: string[]) => {
      for (const k of keys) {
        const v = m[k];
        if (typeof v === 'number') return v;
      }
      return undefined;
    };
    const point: Record<string, string | number> = {
      stage: stage.replace('round-', 'R').replace('/rl-', ' '),
      step: num('step') ?? i,
    };
    const fields: Array<[string, number | undefined]> = [
      // vlthink's own names, then EasyR1's (its console logger's `group/key`, see backends/progress-parse.ts).
      ['reward', num('reward_mean', 'reward', 'reward/overall')],
      ['accuracy', num('accuracy', 'reward/accuracy')],
      ['kl', num('kl', 'actor/kl_loss')],
      ['length', num('response_length_mean', 'response_length', 'response_length/mean')],
      ['clip', num('clip_fraction', 'actor/pg_clipfrac')],
    ];
    for (const [k, v] of fields) if (v !== undefined && Number.isFinite(v)) point[k] = v;
    out.push(point);
  }
  return out;
}

async function readFilters(runDir: string, status: RunStatus) {
  const out: Array<{ round: number; stats: FilterStatsFile }> = [];
  for (const key of status.manifest.order) {
    const m = /^round-(\d+)\/filter$/.exec(key);
    if (!m || status.manifest.stages[key]?.state !== 'done') continue;
    const round = Number(m[1]);
    const file = join(runDir, paths.filterStats(round));
    if (existsSync(file)) out.push({ round, stats: JSON.parse(await readFile(file, 'utf8')) as FilterStatsFile });
  }
  return out;
}

/** Test problems of the last round with both an SFT and a final-RL evaluation: fixed by RL first, then the rest. */
async function buildGallery(runDir: string, evals: readonly EvalSummary[], max: number): Promise<GalleryItem[]> {
  const rounds = [...new Set(evals.map((e) => e.round))].sort((a, b) => b - a);
  const round = rounds.find(
    (r) =>
      evals.some((e) => e.round === r && e.checkpoint === 'sft') &&
      evals.some((e) => e.round === r && e.checkpoint.startsWith('rl-')),
  );
  if (round === undefined) return [];
  const rlName = evals.filter((e) => e.round === round && e.checkpoint.startsWith('rl-')).at(-1)?.checkpoint ?? '';
  const load = async (name: string) =>
    (await readJsonlAll(join(runDir, paths.evalResults(round, name)), EvalRecord)).records;
  const before = new Map((await load('sft')).map((r) => [r.problemId, r]));
  const after = await load(rlName);
  const testFile = join(runDir, paths.testProblems);
  const problems = existsSync(testFile)
    ? new Map((await readJsonlAll(testFile, Problem)).records.map((p) => [p.id, p]))
    : new Map<string, Problem>();
  const rank = (b: boolean, a: boolean) => (!b && a ? 0 : b && !a ? 1 : a ? 2 : 3);
  const pairs = after
    .map((a) => ({ a, b: before.get(a.problemId), p: problems.get(a.problemId) }))
    .filter((x): x is { a: EvalRecord; b: EvalRecord; p: Problem } => x.b !== undefined && x.p !== undefined)
    .sort((x, y) => rank(x.b.correct, x.a.correct) - rank(y.b.correct, y.a.correct))
    .slice(0, max);
  const items: GalleryItem[] = [];
  for (const { a, b, p } of pairs) {
    items.push({
      round,
      problem: p,
      image: await imageDataUri(join(runDir, paths.dataDir), p.images[0]),
      before: { checkpoint: `SFT_${round}`, text: b.text, correct: b.correct, extracted: b.extracted },
      after: { checkpoint: `RL_${round} (${rlName})`, text: a.text, correct: a.correct, extracted: a.extracted },
    });
  }
  return items;
}

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};

async function imageDataUri(root: string, path: string | undefined): Promise<string | null> {
  if (!path) return null;
  const full = resolveImage(root, path);
  if (!existsSync(full)) return null;
  const mime = MIME[extname(full).toLowerCase()] ?? 'application/octet-stream';
  return `data:${mime};base64,${(await readFile(full)).toString('base64')}`;
}
