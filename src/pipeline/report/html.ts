import { choiceLetter } from '../../core/choice-letters.ts';
import { writeFileAtomic } from '../../core/index.ts';
import { paths } from '../paths.ts';
import { formatDuration } from '../progress.ts';
import { accuracySpec, type ChartPoint, curveSpec, filterSpec, renderSvg } from './charts.ts';
import { collectReportData, type GalleryItem, type ReportData } from './collect.ts';

/**
 * `report.html`: one self-contained page (inline CSS, SVG charts, images as data URIs; no script or network needed to
 * read it). A tiny inline script only counts the charts that laid out, for the headless-browser check.
 */
const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** complete; running (pid N) at a stage; or stopped / interrupted / failed at one. */
function runState(status: ReportData['status']): string {
  if (status.complete) return 'complete';
  const at = status.current ? ` at ${status.current}` : '';
  if (status.live) return `running (pid ${status.live.pid})${at}`;
  const state = status.current ? status.manifest.stages[status.current]?.state : undefined;
  return `${state === 'interrupted' || state === 'failed' ? state : 'stopped'}${at}`;
}

export async function writeReport(runDir: string): Promise<{ path: string; charts: number }> {
  const data = await collectReportData(runDir);
  const { html, charts } = await renderReport(data);
  const path = `${runDir}/${paths.report}`;
  await writeFileAtomic(path, html);
  return { path, charts };
}

export async function renderReport(data: ReportData): Promise<{ html: string; charts: number }> {
  const svgs: string[] = [];
  const accuracyPoints: ChartPoint[] = data.evals.map((e) => ({
    label: e.checkpoint === 'sft' ? `SFT_${e.round}` : `RL_${e.round} ${e.checkpoint.slice(3)}`,
    kind: e.checkpoint === 'sft' ? 'SFT' : 'RL',
    accuracy: e.accuracy,
  }));
  if (accuracyPoints.length > 0) svgs.push(await renderSvg(accuracySpec(accuracyPoints), 'accuracy'));
  const curves: Array<[string, string]> = [
    ['reward', 'reward (mean)'],
    ['accuracy', 'rollout accuracy'],
    ['kl', 'KL to reference'],
    ['length', 'response length (tokens)'],
    ['clip', 'clip fraction'],
  ];
  const curveSvgs: string[] = [];
  for (const [field, title] of curves) {
    const points = data.rlSteps.filter((p) => typeof p[field] === 'number');
    if (points.length > 0) curveSvgs.push(await renderSvg(curveSpec(title, field, points), `grpo-${field}`));
  }
  const filterPoints: ChartPoint[] = data.filters.flatMap(({ round, stats }) => [
    { round, outcome: 'kept', count: stats.kept },
    ...Object.entries(stats.dropped)
      .filter(([, n]) => n > 0)
      .map(([reason, count]) => ({ round, outcome: `dropped: ${reason}`, count })),
  ]);
  const filterSvg = filterPoints.length > 0 ? await renderSvg(filterSpec(filterPoints), 'filter') : '';
  const charts = svgs.length + curveSvgs.length + (filterSvg ? 1 : 0);

  const { status } = data;
  const title = `vlthink run ${status.manifest.name}`;
  const body = [
    `<h1>${esc(title)}</h1>`,
    `<p class="meta">${esc(status.runDir)} · ${esc(runState(status))} · updated ${esc(status.manifest.updatedAt)}${status.config ? ` · backend ${esc(status.config.backend.kind)}, ${status.config.rounds} rounds` : ''}</p>`,
    "<h2>Accuracy by round (the shape of the paper's Table 10)</h2>",
    table10(data),
    svgs.join('\n'),
    '<h2>GRPO training curves</h2>',
    curveSvgs.length > 0 ? `<div class="grid">${curveSvgs.join('\n')}</div>` : '<p>No RL steps recorded yet.</p>',
    '<h2>SFT data filter</h2>',
    filterTable(data),
    filterSvg,
    '<h2>Gallery: test problems before and after RL</h2>',
    data.gallery.length > 0 ? data.gallery.map(galleryCard).join('\n') : '<p>No evaluated checkpoints yet.</p>',
    '<h2>Stages</h2>',
    stageTable(data),
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#666}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}.grid{display:flex;flex-wrap:wrap;gap:1em}
.card{border:1px solid #ddd;border-radius:6px;padding:1em;margin:1em 0;display:grid;grid-template-columns:160px 1fr 1fr;gap:1em}
.card img{width:150px;image-rendering:pixelated;border:1px solid #eee}.trace{font-family:ui-monospace,monospace;font-size:.85em;white-space:pre-wrap;background:#fafafa;padding:.5em}
.ok{color:#186a1d;font-weight:600}.bad{color:#a11;font-weight:600}
</style></head>
<body data-charts-expected="${charts}">
${body}
<script>
// Count charts that laid out with a real size (used by the headless-browser check).
document.body.dataset.chartsRendered = String([...document.querySelectorAll('svg[data-chart]')].filter((s) => { const b = s.getBoundingClientRect(); return b.width > 50 && b.height > 50 && s.querySelectorAll('path,rect,line').length > 3; }).length);
</script>
</body></html>
`;
  return { html, charts };
}

function table10(data: ReportData): string {
  if (data.evals.length === 0) return '<p>No evaluations yet.</p>';
  const cols = data.evals.map((e) =>
    e.checkpoint === 'sft' ? `SFT<sub>${e.round}</sub>` : `RL<sub>${e.round}</sub> ${esc(e.checkpoint.slice(3))}`,
  );
  const test = data.evals[0]?.testSet ?? 'test';
  const size = data.evals[0]?.total ?? 0;
  // A test set that mixes sources (world families) gets a row per source under the overall one.
  const sources = [...new Set(data.evals.flatMap((e) => Object.keys(e.bySource)))].sort();
  const sourceRows =
    sources.length < 2
      ? []
      : sources.map((source) => {
          const n = data.evals[0]?.bySource[source]?.total ?? 0;
          const cells = data.evals.map((e) => {
            const s = e.bySource[source];
            return `<td>${s ? pct(s.accuracy) : '-'}</td>`;
          });
          return `<tr><td class="l">&nbsp;&nbsp;${esc(source)} (${n})</td>${cells.join('')}</tr>`;
        });
  return `<table><tr><th class="l">test set</th>${cols.map((c) => `<th>${c}</th>`).join('')}</tr>
<tr><td class="l">${esc(test)} (${size})</td>${data.evals.map((e) => `<td>${pct(e.accuracy)}</td>`).join('')}</tr>
${sourceRows.join('\n')}</table>`;
}

function filterTable(data: ReportData): string {
  if (data.filters.length === 0) return '<p>No filter stage yet.</p>';
  const reasons = [...new Set(data.filters.flatMap((f) => Object.keys(f.stats.dropped)))];
  const head = [
    'round',
    'problems',
    'kept',
    'truncated at a marker',
    ...reasons.map((r) => `dropped: ${r}`),
    'words before',
    'words after',
  ];
  const rows = data.filters.map(({ round, stats }) => [
    String(round),
    String(stats.candidates),
    String(stats.kept),
    String(stats.truncated),
    ...reasons.map((r) => String(stats.dropped[r] ?? 0)),
    stats.meanWordsBefore.toFixed(1),
    stats.meanWordsAfter.toFixed(1),
  ]);
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

function galleryCard(item: GalleryItem): string {
  const p = item.problem;
  const choices = p.choices
    ? `<br>${p.choices.map((c, i) => `(${choiceLetter(i) ?? String(i + 1)}) ${esc(c)}`).join(' ')}`
    : '';
  const side = (s: GalleryItem['before']) =>
    `<div><b>${esc(s.checkpoint)}</b> — <span class="${s.correct ? 'ok' : 'bad'}">${s.correct ? 'correct' : 'wrong'}</span> (answered ${esc(s.extracted ?? 'nothing')})<div class="trace">${esc(s.text)}</div></div>`;
  return `<div class="card"><div>${item.image ? `<img alt="${esc(p.id)}" src="${item.image}">` : ''}<div><b>${esc(p.id)}</b> · ${esc(p.source)}${p.tier ? ` · ${esc(p.tier)}` : ''}</div><div>${esc(p.question)}${choices}</div><div>gold: <b>${esc(p.answer)}</b></div></div>${side(item.before)}${side(item.after)}</div>`;
}

function stageTable(data: ReportData): string {
  const m = data.status.manifest;
  const rows = m.order.map((key) => {
    const s = m.stages[key];
    if (!s) return '';
    const counts = Object.entries(s.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return `<tr><td class="l">${esc(key)}</td><td class="l">${esc(s.state)}</td><td>${s.durationMs === null ? '' : formatDuration(s.durationMs / 1000)}</td><td class="l">${esc(counts)}</td></tr>`;
  });
  return `<table><tr><th class="l">stage</th><th class="l">state</th><th>time</th><th class="l">counts</th></tr>${rows.join('')}</table>`;
}

export { collectReportData };
