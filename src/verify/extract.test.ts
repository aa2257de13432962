import { describe, expect, it } from 'vitest';
import { show } from './expr.ts';
import { type ExtractionConfig, extractAnswer, findBoxed, findEnvs, parseWithLastEquation } from './extract.ts';

const S = String.raw;
type Env = [start: number, end: number, content: string, percent?: boolean];

describe('findEnvs', () => {
  it.each<[string, Env[]]>([
    [
      '$a$ $b$',
      [
        [0, 3, 'a'],
        [4, 7, 'b'],
      ],
    ],
    [
      '$a$\n$b$',
      [
        [0, 3, 'a'],
        [4, 7, 'b'],
      ],
    ],
    ['$\n$x$', [[2, 5, 'x']]],
    ['a $x\ny$ b', []],
    ['a $$x\ny$$', [[2, 9, 'x\ny']]],
    ['a $$$$ b', []],
    ['a $$ b', []],
    [S`\$5 and $2$`, [[8, 11, '2']]],
    ['5$ and $3$', [[7, 10, '3']]],
    ['0$ and $3$', [[7, 10, '3']]],
    ['9$ and $3$', [[7, 10, '3']]],
    [S`$a\$b$`, [[0, 6, S`a\$b`]]],
    ['a\n$x$', [[2, 5, 'x']]],
    ['$x$\nmore', [[0, 3, 'x']]],
    [S`a \(x+1\) b`, [[2, 9, 'x+1']]],
    [S`a \[x\] b`, [[2, 7, 'x']]],
    [S`\]\[x\]`, [[2, 7, 'x']]],
    [S`\)\(x\)`, [[2, 7, 'x']]],
    [S`a \[\] b`, []],
    [`a\n${S`\(x\)`}`, [[2, 7, 'x']]],
    [S`a \(x` + '\n' + S`y\) b`, []],
    [S`\(x`, []],
    [S` \(\) `, []],
    [`${S`\(x\)`}\nmore`, [[0, 5, 'x']]],
    [
      S`a \( \) \(5\)`,
      [
        [2, 7, ' '],
        [8, 13, '5'],
      ],
    ],
    [S`a \frac{1}{2} b`, [[2, 13, S`\frac{1}{2}`]]],
    [S`x -\frac{1}{2}`, [[2, 14, S`-\frac{1}{2}`]]],
    ['a [1+2] b', [[2, 7, '1+2']]],
    ['a[1] b', []],
    ['[1] b', []],
    ['a [1 [2] b', [[5, 8, '2']]],
    ['a [1\n2] b', []],
    ['a [1+2]', []],
    ['a [] b', []],
    ['a [1 [ b', []],
    ['a [1\n b', []],
    ['a [12', []],
    ['a [1]x', []],
    [S`$x$ \%`, [[0, 6, 'x', true]]],
    ['a [5] percent', [[2, 13, '5', true]]],
    [S`\(3\)pct`, [[0, 8, '3', true]]],
    ['$$2$$ Percentage', [[0, 16, '2', true]]],
    [S`\[4\]%`, [[0, 6, '4', true]]],
    [S`x \frac{1}{2}%`, [[2, 14, S`\frac{1}{2}`, true]]],
  ])('%j', (s, expected) => {
    expect(findEnvs(s)).toEqual(
      expected.map(([start, end, content, percent = false]) => ({ start, end, content, percent })),
    );
  });
});

type Target = ExtractionConfig['targets'][number];
const L: Target[] = ['latex'];
const E: Target[] = ['expr'];
const LE: Target[] = ['latex', 'expr'];

function run(text: string, targets: readonly Target[] = LE, extra: Partial<ExtractionConfig> = {}) {
  const r = extractAnswer(text, { targets, boxedPriority: 50, letters: [], ...extra });
  return { v: r.values.map(show), fb: r.fallback };
}

describe('extractAnswer: LaTeX candidates and priorities', () => {
  it.each<[string, Target[], number, string[], string | null]>([
    ['The value $1$ then $)($', L, 50, ['1'], ')('],
    ['$1$ and $2$', L, 50, ['{1, 2}'], '1 and 2'],
    ['$1$ and $)$', L, 50, [], '1 and )'],
    ['$)$%', L, 50, [], ')'],
    ['$4$. I hope so. The final answer is $3$', L, 50, ['3'], '3'],
    [S`\boxed{4} The final answer is $3$, I hope`, L, 0, ['4'], '4'],
    [S`\boxed{4}. The final answer is $3$ I hope`, L, 0, ['3'], '3'],
    [S`\boxed{4}. The final answer is $3$.I hope`, L, 0, ['3'], '3'],
    ['The final answer is $3$. Later $5$', L, 50, ['3'], '3'],
    ['Final Answer is $3$. Later $5$', L, 50, ['3'], '3'],
    [
      `Answer: $3$. ${'and some filler words that go on for quite a while here ok'} the answer is $5$`,
      L,
      50,
      ['3'],
      '3',
    ],
    [`the answer $3$. ${'and some filler words that go on for quite a while here ok'} then $5$`, L, 50, ['3'], '3'],
    [S`\boxed{3}. Later $5$`, L, -1, ['5'], '5'],
    [S`\boxed{3}. Later $5$`, L, 50, ['3'], '3'],
    [S`$x = \boxed{3}$`, L, -1, ['3'], S`x = \boxed{3}`],
    [S`$x = \fbox{3}$`, L, -1, ['3'], S`x = \fbox{3}`],
    [S`$\boxed{1}, \boxed{2}$`, L, -1, ['{1, 2}'], S`\boxed{1}, \boxed{2}`],
  ])('%j (%j, boxed %d)', (text, targets, boxedPriority, v, fb) => {
    expect(run(text, targets, { boxedPriority })).toEqual({ v, fb });
  });
});

describe('extractAnswer: boxed', () => {
  it.each<[string, string[], string | null]>([
    [S`\fbox{3}`, ['3'], '3'],
    [`${S`\boxed{1}`}${' '.repeat(80)}${S`\boxed{2}`}`, ['{1, 2}'], '1,2'],
    [`${S`\boxed{1}`}${' '.repeat(81)}${S`\boxed{2}`}`, ['2'], '2'],
    [S`\boxed{1} \text {a b c and} \boxed{2}`, ['{1, 2}'], '1,2'],
    [S`\boxed{1}\text{ foo }\boxed{2}`, ['2'], '2'],
    [S`\boxed{1} a b \quad or c \boxed{2}`, ['{1, 2}'], '1,2'],
    [S`\boxed{1} \a or b c d \boxed{2}`, ['2'], '2'],
    [S`\boxed{1} x\,y or z w \boxed{2}`, ['2'], '2'],
    [S`\boxed{1} band \boxed{2}`, ['2'], '2'],
    [S`\boxed{1} order \boxed{2}`, ['2'], '2'],
    [S`\boxed{1} and \boxed{2}`, ['{1, 2}'], '1,2'],
    [S`\boxed{1, 2} and \boxed{3}`, ['{1, 2, 3}'], '1, 2,3'],
    [S`$\boxed{5}\%$`, ['5/100'], '5'],
    [S`$\boxed{5}$\%`, ['5/100'], '5'],
    [S`\boxed{)}`, [], ')'],
    [S`\boxed{)} $4$`, ['4'], ')'],
    [S`\boxed{1} and \boxed{)}`, [], '1,)'],
    [S`\boxed{)}\%`, [], ')'],
  ])('%j', (text, v, fb) => {
    expect(run(text, L)).toEqual({ v, fb });
  });

  it.each<[string, [number, number, string][]]>([
    [
      S`\fbox{1} \boxed{2}`,
      [
        [0, 8, '1'],
        [9, 18, '2'],
      ],
    ],
    [
      S`\boxed{1} \fbox{2}`,
      [
        [0, 9, '1'],
        [10, 18, '2'],
      ],
    ],
    [S`\boxed {3}`, [[0, 10, '3']]],
    [S`\boxed3 and \boxed{4}`, [[12, 21, '4']]],
    [S`\boxed{1} \boxed{2`, [[0, 9, '1']]],
    [S`\boxed{3`, []],
    [S`\boxed{a\}b}`, [[0, 12, S`a\}b`]]],
    [S`\boxed{{1}+{2}}`, [[0, 15, '{1}+{2}']]],
  ])('findBoxed %j', (text, expected) => {
    expect(findBoxed(text)).toEqual(expected.map(([start, end, content]) => ({ start, end, content })));
  });
});

describe('parseWithLastEquation', () => {
  it.each<[string, string | null]>([
    [')=1=2', '2'],
    ['),=1=2', null],
    [')=1=2;', null],
    [') = 3', null],
  ])('%j', (latex, expected) => {
    const v = parseWithLastEquation(latex);
    expect(v && show(v)).toBe(expected);
  });
});

describe('extractAnswer: plain numbers and expressions', () => {
  it.each<[string, string[], string | null]>([
    ['x 1+ 2', ['1 + 2'], '1+ 2'],
    ['The final answer is 3. Later 5', ['3'], '3'],
    ['FINAL ANSWER IS 3. Later 5', ['3'], '3'],
    ['The final answer is 3. The answer is 5', ['3'], '3'],
    ['Note: 5. Then 7', ['7'], '7'],
    ['ANSWER: 5. Then 7', ['5'], '5'],
    ['answer: 5. Then 7', ['5'], '5'],
    ['x -5', ['-5'], '-5'],
    ['x 007', ['7'], '007'],
    ['x .5', ['0.5'], '.5'],
    ['x 0', ['0'], '0'],
    ['x 42', ['42'], '42'],
    ['x 1,234.5', ['1234.5'], '1,234.5'],
    ['x 3.25', ['3.25'], '3.25'],
    ['x 3,25', ['3.25'], '3,25'],
    ['So 50%', ['50/100'], '50'],
  ])('%j', (text, v, fb) => {
    expect(run(text, E)).toEqual({ v, fb });
  });

  it('keeps the number structure', () => {
    const one = (t: string) => extractAnswer(t, { targets: E, boxedPriority: 50, letters: [] }).values[0];
    expect(one('x 42')).toEqual({ kind: 'num', value: 42, text: '42', float: false });
    expect(one('x 2.5')).toEqual({ kind: 'num', value: 2.5, text: '2.5', float: true });
    expect(one('x -7')).toEqual({ kind: 'neg', arg: { kind: 'num', value: 7, text: '7', float: false } });
  });

  it('does not glue digits across a line break', () => {
    expect(run('x 1\n2+3', E).v).not.toEqual(['12 + 3']);
    expect(run('x 1\n2+3', E).v).toHaveLength(1);
  });
});

describe('extractAnswer: long texts', () => {
  const filler = (n: number) => 'x '.repeat(n);
  it.each<[string, string, Target[], string[]]>([
    ['number only at the start', `42 ${filler(1700)}`, LE, ['42']],
    ['latex only: no plain numbers', `42 ${filler(1700)}`, L, []],
    ['no numbers at all', filler(1700), LE, []],
    ['last token before the tail window', `${filler(1000)}77${' y'.repeat(750)}`, E, ['77']],
    ['spaced thousands at the very end', `${filler(1600)}total 1 000`, E, ['1000']],
    ['spaced thousands at the very start', `1 000 ${filler(1600)}`, E, ['1000']],
    ['3000 chars are scanned whole', `${filler(748)}1 000${' y'.repeat(749)}.`, E, ['1000']],
    ['long digit runs keep their tail', `Answer:${' '.repeat(30)}5${' '.repeat(398)}end 9.`, E, ['5']],
    // the tail window never splits a number or an expression: here both straddle text.length - 1500
    ['spaced thousands across the tail split', `${filler(1000)}1 000${' z'.repeat(749)}`, E, ['1000']],
    ['an expression across the tail split', `${filler(1000)}3 + 4${' z'.repeat(749)}`, E, ['3 + 4']],
  ])('%s', (_name, text, targets, v) => {
    expect(run(text, targets).v).toEqual(v);
  });
});

describe('extractAnswer: ties and deadlines', () => {
  it('on equal ends the candidate that starts first wins', () => {
    expect(run('x $ 1+2$', ['expr', 'latex'])).toEqual({ v: ['1 + 2'], fb: ' 1+2' });
  });

  it('stops parsing past the deadline, and only for that call', () => {
    const big = `$${Array.from({ length: 200 }, (_, i) => `x_{${i}}`).join('+')}$`;
    const cfg: ExtractionConfig = { targets: L, boxedPriority: 50, letters: [] };
    expect(() => extractAnswer(big, { ...cfg, deadline: 0 })).toThrow(/time budget/);
    expect(extractAnswer(big, cfg).values).toHaveLength(1);
    expect(() => extractAnswer(big, { ...cfg, deadline: 0 })).toThrow(/time budget/);
    expect(parseWithLastEquation(big.slice(1, -1))).not.toBeNull();
  });
});

describe('extractAnswer: letters', () => {
  const T: Target[] = ['letters'];
  it.each<[string, string[], string[], string | null]>([
    ['the answer is B', ['A', 'B'], ['B'], 'B'],
    ['the answer is b', ['A', 'B'], [], null],
    ['the answer is (B)', ['A', 'B'], ['B'], 'B'],
    ['The answer is Yes.', ['yes', 'no'], ['yes'], 'Yes'],
    ['Answer: YES', ['A', 'yes'], ['yes'], 'YES'],
    ['Maybe no... wait, yes', ['yes', 'no'], ['yes'], 'yes'],
    ['Either A or B.', ['A', 'B'], ['B'], 'B'],
    ['Yes. Not no.', ['yes', 'no'], ['yes'], 'Yes'],
    ['Apple pie.', ['A', 'B'], [], null],
    ['The final answer is A. I hope it is correct. Some say the final answer is C', ['A', 'B', 'C'], ['A'], 'A'],
    ['Answer: C. My final answer, A.', ['A', 'B', 'C'], ['C'], 'C'],
    ['Answer: C. Then the final answer is A', ['A', 'B', 'C'], ['A'], 'A'],
    ['Answer: C. the answer A', ['A', 'B', 'C'], ['C'], 'C'],
    ['So A choice B.', ['A', 'B'], ['B'], 'B'],
    ['hello', ['A', ''], [], null],
    ['hello , world', ['A', ''], [], null],
    ['The answer is C++', ['C++', 'Java'], ['c++'], 'C++'],
    ['ответ: B', ['A', 'B'], ['B'], 'B'],
    ['none here', [], [], null],
  ])('%j with %j', (text, letters, v, fb) => {
    expect(run(text, T, { letters })).toEqual({ v, fb });
  });

  it('keeps letter lists that join to the same string apart', () => {
    expect(run('ab', T, { letters: ['ab', 'c'] }).v).toEqual(['ab']);
    expect(run('a', T, { letters: ['a', 'bc'] }).v).toEqual(['a']);
    expect(run('bc', T, { letters: ['abc'] }).v).toEqual([]);
  });
});
