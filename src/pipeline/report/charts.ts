import type { TopLevelSpec } from 'vega-lite';

/**
 * Charts for the run report: vega-lite specs compiled to vega and rendered to SVG strings in Node (no browser, no
 * canvas: vega's `none` renderer lays out and `toSVG` serializes). Each SVG carries `data-chart` for the page check.
 */
export interface ChartPoint {
  readonly [key: string]: string | number;
}

/** vega and vega-lite (~0.4 s of start-up) load on the first chart, not with every command that imports pipeline/. */
export async function renderSvg(spec: TopLevelSpec, name: string): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return svg.replace('<svg ', `<svg data-chart="${name}" role="img" aria-label="${name}" `);
  } finally {
    view.finalize();
  }
}

const FONT = { font: 'system-ui, sans-serif', labelFont: 'system-ui, sans-serif', titleFont: 'system-ui, sans-serif' };

/** Accuracy per round and checkpoint (the paper's Table 10 as bars: SFT_r, RL_r). */
export function accuracySpec(points: readonly ChartPoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Test accuracy by round and stage',
    width: 420,
    height: 220,
    config: { axis: { labelFont: FONT.labelFont, titleFont: FONT.titleFont } },
    data: { values: points as ChartPoint[] },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'label', type: 'nominal', sort: null, title: null, axis: { labelAngle: 0 } },
      y: {
        field: 'accuracy',
        type: 'quantitative',
        title: 'accuracy',
        axis: { format: '%' },
        scale: { domain: [0, 1] },
      },
      color: { field: 'kind', type: 'nominal', title: 'checkpoint', scale: { domain: ['SFT', 'RL'] } },
    },
  };
}

/** One GRPO curve per metric, a line per RL stage, x = step within the stage. */
export function curveSpec(title: string, field: string, points: readonly ChartPoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 300,
    height: 160,
    data: { values: points as ChartPoint[] },
    mark: { type: 'line', point: points.length < 60, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field, type: 'quantitative', title, scale: { zero: false } },
      color: { field: 'stage', type: 'nominal', title: 'stage' },
    },
  };
}

/** Filter outcome per round: kept and each drop reason, stacked. */
export function filterSpec(points: readonly ChartPoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'SFT data filter per round',
    width: 300,
    height: 160,
    data: { values: points as ChartPoint[] },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'round', type: 'ordinal', title: 'round' },
      y: { field: 'count', type: 'quantitative', title: 'problems', stack: 'zero' },
      color: { field: 'outcome', type: 'nominal', title: 'outcome' },
    },
  };
}
