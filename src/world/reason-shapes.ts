import type { Rng } from '../core/index.ts';
import { locationPhrase } from './caption.ts';
import type { CaptionFacts } from './caption-facts.ts';
import { filterText, type ObjectRef, type QuestionSpec, type Relation, type ShapeFilter } from './question.ts';
import { enumerate, say } from './reader-phrases.ts';
import { COLORS, POSITION_NAMES, SHAPES } from './scene.ts';

/** What the reader worked out: its reasoning lines, a short recheck for a "wait" detour, the value and a summary. */
export interface Reasoning {
  readonly lines: string[];
  readonly check: string[];
  readonly value: string;
  readonly summary: string;
}

type Group = { key: string; n: number };

function groupsMatching(facts: CaptionFacts, f: ShapeFilter): Group[] {
  const out: Group[] = [];
  for (const [key, n] of facts.counts) {
    const [color, shape] = key.split(' ');
    if ((f.color === undefined || f.color === color) && (f.shape === undefined || f.shape === shape)) {
      out.push({ key, n });
    }
  }
  return out;
}

/** Count a filter's shapes: one enumeration per group, then a sum when there are several. */
function countFilter(rng: Rng, facts: CaptionFacts, f: ShapeFilter, lines: string[]): { n: number; check: string } {
  const groups = groupsMatching(facts, f);
  const things = filterText(f);
  if (groups.length === 0) {
    const line = say(rng, 'noneSeen', { things });
    lines.push(line);
    return { n: 0, check: line };
  }
  for (const g of groups) lines.push(say(rng, 'enumerate', { things: `${g.key}s`, enum: enumerate(g.n) }));
  const n = groups.reduce((s, g) => s + g.n, 0);
  if (groups.length === 1) return { n, check: say(rng, 'enumerate', { things, enum: enumerate(n) }) };
  const line = say(rng, 'sum', { expr: groups.map((g) => g.n).join(' + '), n });
  lines.push(line);
  return { n, check: line };
}

export function reasonCounts(rng: Rng, spec: QuestionSpec, facts: CaptionFacts): Reasoning | null {
  const lines: string[] = [];
  switch (spec.kind) {
    case 'count': {
      const things = filterText(spec.filter);
      lines.push(say(rng, 'lookFor', { things }));
      const { n, check } = countFilter(rng, facts, spec.filter, lines);
      lines.push(say(rng, 'countIs', { n, things }));
      return { lines, check: [check], value: String(n), summary: `there are ${n} ${things} .` };
    }
    case 'count-not': {
      lines.push(say(rng, 'notColor', { color: spec.color }));
      const others = COLORS.filter((c) => c !== spec.color);
      const groups = others.flatMap((color) => groupsMatching(facts, { color }));
      for (const g of groups) lines.push(say(rng, 'enumerate', { things: `${g.key}s`, enum: enumerate(g.n) }));
      const n = groups.reduce((s, g) => s + g.n, 0);
      const sumLine = say(rng, 'sum', { expr: groups.map((g) => g.n).join(' + ') || '0', n });
      lines.push(sumLine);
      const things = `shapes that are not ${spec.color}`;
      lines.push(say(rng, 'countIs', { n, things }));
      return { lines, check: [sumLine], value: String(n), summary: `there are ${n} ${things} .` };
    }
    case 'count-more':
    case 'more-than': {
      const a = countFilter(rng, facts, spec.a, lines);
      const b = countFilter(rng, facts, spec.b, lines);
      const ta = filterText(spec.a);
      const tb = filterText(spec.b);
      if (spec.kind === 'more-than') {
        const yes = a.n > b.n;
        const line = say(rng, yes ? 'moreYes' : 'moreNo', { a: a.n, b: b.n });
        lines.push(line);
        const summary = `there are ${a.n} ${ta} and ${b.n} ${tb} .`;
        return { lines, check: [a.check, b.check, line], value: yes ? 'yes' : 'no', summary };
      }
      const d = Math.max(0, a.n - b.n);
      const line = d > 0 ? say(rng, 'moreSub', { a: a.n, b: b.n, n: d }) : say(rng, 'notMore', { a: a.n, b: b.n });
      lines.push(line);
      return { lines, check: [a.check, b.check, line], value: String(d), summary: `${a.n} - ${b.n} = ${d} .` };
    }
    default:
      return null;
  }
}

const REL_WORDS: Record<Relation, string> = {
  left: 'to the left of',
  right: 'to the right of',
  above: 'above',
  below: 'below',
};

/** Whether (row, col) lies strictly in direction `rel` of (r0, c0). */
function inDirection(rel: Relation, r: number, c: number, r0: number, c0: number): boolean {
  if (rel === 'left') return c < c0;
  if (rel === 'right') return c > c0;
  if (rel === 'above') return r < r0;
  return r > r0;
}

export function reasonPositions(rng: Rng, spec: QuestionSpec, facts: CaptionFacts): Reasoning | null {
  const lines: string[] = [];
  const locate = (o: ObjectRef) => {
    const name = `${o.color} ${o.shape}`;
    const found = facts.objects.find((x) => x.color === o.color && x.shape === o.shape);
    if (!found) {
      lines.push(say(rng, 'notFound', { obj: name }));
      return { name, row: 1, col: 1 };
    }
    const line = say(rng, 'locate', {
      obj: name,
      at: locationPhrase(found.row, found.col),
      r: found.row + 1,
      c: found.col + 1,
    });
    lines.push(line);
    return { name, row: found.row, col: found.col };
  };
  const randomObject = () => `${rng.pick(COLORS)} ${rng.pick(SHAPES)}`;
  switch (spec.kind) {
    case 'pos-at': {
      const pos = POSITION_NAMES[spec.row][spec.col];
      lines.push(say(rng, 'lookCell', { pos }));
      const hit = facts.objects.find((o) => o.row === spec.row && o.col === spec.col);
      const value = hit ? `${hit.color} ${hit.shape}` : randomObject();
      const line = say(rng, hit ? 'cellHas' : 'cellGuess', { obj: value });
      lines.push(line);
      return { lines, check: [line], value, summary: `the ${value} is in the ${pos} cell .` };
    }
    case 'pos-relation': {
      const a = locate(spec.a);
      const b = locate(spec.b);
      const horizontal = spec.rel === 'left' || spec.rel === 'right';
      const [va, vb] = horizontal ? [a.col + 1, b.col + 1] : [a.row + 1, b.row + 1];
      const cmp = va < vb ? 'less than' : va > vb ? 'more than' : 'the same as';
      lines.push(say(rng, horizontal ? 'relCol' : 'relRow', { a: va, b: vb, cmp }));
      const yes = inDirection(spec.rel, a.row, a.col, b.row, b.col);
      const line = say(rng, yes ? 'relYes' : 'relNo', { a: a.name, b: b.name, rel: REL_WORDS[spec.rel] });
      lines.push(line);
      return { lines, check: [line], value: yes ? 'yes' : 'no', summary: line };
    }
    case 'pos-neighbor': {
      const ref = locate(spec.ref);
      const r = ref.row + (spec.rel === 'above' ? -1 : spec.rel === 'below' ? 1 : 0);
      const c = ref.col + (spec.rel === 'left' ? -1 : spec.rel === 'right' ? 1 : 0);
      lines.push(say(rng, 'neighborCell', { rel: REL_WORDS[spec.rel], r: r + 1, c: c + 1 }));
      const hit = facts.objects.find((o) => o.row === r && o.col === c);
      const value = hit ? `${hit.color} ${hit.shape}` : randomObject();
      const line = say(rng, hit ? 'cellHas' : 'cellGuess', { obj: value });
      lines.push(line);
      return {
        lines,
        check: [line],
        value,
        summary: `the ${value} is directly ${REL_WORDS[spec.rel]} the ${ref.name} .`,
      };
    }
    case 'pos-count': {
      const ref = locate(spec.ref);
      const horizontal = spec.rel === 'left' || spec.rel === 'right';
      let n = 0;
      for (const o of facts.objects) {
        if (o.color === spec.ref.color && o.shape === spec.ref.shape) continue;
        const yes = inDirection(spec.rel, o.row, o.col, ref.row, ref.col);
        if (yes) n++;
        lines.push(
          say(rng, 'checkOther', {
            obj: `${o.color} ${o.shape}`,
            axis: horizontal ? 'column' : 'row',
            v: (horizontal ? o.col : o.row) + 1,
            yn: yes ? 'yes' : 'no',
          }),
        );
      }
      const line = say(rng, 'countRel', { n, rel: REL_WORDS[spec.rel], obj: ref.name });
      lines.push(line);
      return { lines, check: [line], value: String(n), summary: line };
    }
    default:
      return null;
  }
}
