import { describe, expect, it } from 'vitest';
import { type VerifyOptions, type VerifyResult, verifyAnswer } from './math-verify.ts';

type Row = [gold: string, prediction: string, opts: VerifyOptions | undefined, expected: VerifyResult];
const ok = (gold: string, extracted: string): VerifyResult => ({ correct: true, gold, extracted, reason: 'match' });
const bad = (gold: string, extracted: string | null, reason: VerifyResult['reason']): VerifyResult => ({
  correct: false,
  gold,
  extracted,
  reason,
});

const PAST = { timeoutMs: -1000 }; // deadline already passed
const SUM150 = `${'1+'.repeat(149)}1`; // long enough for the parser to check its deadline
const XSUM150 = `${'x+'.repeat(149)}x`;
const PROSE = 'lorem ipsum dolor sit'; // a gold with no answer in it

describe('verifyAnswer: options and deadline', () => {
  it.each<Row>([
    ['1', '1', PAST, bad('1', null, 'timeout')],
    [SUM150, '', PAST, bad(SUM150, null, 'timeout')],
    [PROSE, `<answer>${SUM150}</answer>`, PAST, bad(PROSE, null, 'timeout')],
    [PROSE, XSUM150, PAST, bad(PROSE, null, 'timeout')],
    ['x+1', 'y+1', undefined, bad('x + 1', 'y + 1', 'mismatch')],
    ['x+1', 'y+1', { strict: false }, ok('x + 1', 'y + 1')],
    ['x \\in [1,2]', '<answer>1 \\le x \\le 2</answer>', undefined, bad('x ∈ [1, 2]', '1 <= x & x <= 2', 'mismatch')],
    [
      'x \\in [1,2]',
      '<answer>1 \\le x \\le 2</answer>',
      { allowSetRelationComp: true },
      ok('x ∈ [1, 2]', '1 <= x & x <= 2'),
    ],
    ['3', '<answer>3</answer> so \\boxed{4}', undefined, ok('3', '3')],
    ['3', '<answer>3</answer> so \\boxed{4}', { answerTag: false }, bad('3', '4', 'mismatch')],
  ])('%j vs %j %j', (gold, pred, opts, expected) => {
    expect(verifyAnswer(gold, pred, opts)).toEqual(expected);
  });

  it('without a deadline option a long parse completes', () => {
    expect(verifyAnswer(SUM150, '').reason).toBe('no-answer');
    expect(verifyAnswer(PROSE, XSUM150).reason).toBe('unparseable');
  });
});

describe('verifyAnswer: gold and prediction paths', () => {
  it.each<Row>([
    // a gold in prose or math delimiters is extracted
    ['$5$', '5', undefined, ok('5', '5')],
    ['$\\frac{1}{2}$', '0.5', undefined, ok('1/2', '0.5')],
    ['The value is 3/4 here', '0.75', undefined, ok('3/4', '0.75')],
    [`  ${PROSE}  `, '5', undefined, bad(PROSE, '5', 'unparseable')],
    ['@', '2', undefined, bad('@', '2', 'unparseable')],
    // a bare gold is parsed whole (a list stays a list)
    ['2, 3', '3', undefined, bad('{2, 3}', '3', 'mismatch')],
    [`2, 3${' '.repeat(300)}`, '3', undefined, bad('{2, 3}', '3', 'mismatch')],
    [`2,${' '.repeat(297)}3`, '3', undefined, bad('{2, 3}', '3', 'mismatch')],
    // three words of prose are not a formula; fewer are
    ['k or mn', 'mn or k', undefined, ok('{k, m*n}', '{m*n, k}')],
    ['ab or c', 'c or ab', undefined, ok('{a*b, c}', '{c, a*b}')],
    ['ab  or cd', 'cd, ab', undefined, bad('ab  or cd', '{c*d, a*b}', 'unparseable')],
    ['ab or  cd', 'cd; ab', undefined, bad('ab or  cd', '{c*d, a*b}', 'unparseable')],
    ['\\alpha \\beta \\gamma', '\\gamma\\beta\\alpha', undefined, ok('alpha*beta*gamma', 'gamma*beta*alpha')],
    ['\\pi ab cd', 'dc ba \\pi', undefined, ok('pi*a*b*c*d', 'd*c*b*a*pi')],
    // prediction side
    ['1', ' @@ ', undefined, bad('1', '@@', 'unparseable')],
    ['\\boxed{@}', '\\boxed{ @ }', undefined, ok('@', ' @ ')],
    ['\\boxed{@}', '\\boxed{ # }', undefined, bad('@', ' # ', 'unparseable')],
    [PROSE, '5', { extraction: ['latex'] }, bad(PROSE, null, 'no-answer')],
    [PROSE, '$5$', { extraction: ['latex'] }, bad(PROSE, '5', 'unparseable')],
  ])('%j vs %j %j', (gold, pred, opts, expected) => {
    expect(verifyAnswer(gold, pred, opts)).toEqual(expected);
  });

  it('equal unparsed strings match, trimmed on both sides', () => {
    expect(verifyAnswer('\\boxed{ @ }', '\\boxed{@}')).toMatchObject({ correct: true, reason: 'match' });
    expect(verifyAnswer('\\boxed{@}', '\\boxed{ @ }')).toMatchObject({ correct: true, reason: 'match' });
  });
});

describe('verifyAnswer: choice letters and yes/no', () => {
  const RG = { choices: ['red', 'green'] };
  const X = { choices: ['x = 2', 'x = 3'] };
  it.each<Row>([
    ['B', 'B', undefined, ok('B', 'B')],
    ['B', 'The answer is (B).', undefined, ok('B', 'B')],
    ['A', 'The answer is C', undefined, bad('A', 'C', 'mismatch')],
    ['A', 'The answer is E', undefined, bad('A', null, 'no-answer')],
    ['F', 'The answer is F.', undefined, ok('F', 'F')],
    ['b', 'B', undefined, bad('b', 'B', 'mismatch')],
    ['(b)', 'B', undefined, ok('B', 'B')],
    ['b', 'B', RG, ok('B', 'B')],
    [' B ', 'green', RG, ok('B', 'B')],
    ['C', 'C', RG, ok('C', 'C')],
    ['red', 'B', RG, bad('A', 'B', 'mismatch')],
    ['red', 'A', RG, ok('A', 'A')],
    // option text in the prediction
    ['B', 'x = 3', X, ok('B', 'B')],
    ['A', 'x = 2', X, ok('A', 'A')],
    ['B', 'x  = 3', X, ok('B', 'B')],
    ['B', 'answer: x = 3', X, ok('B', 'B')],
    ['B', 'The answer is x = 3', X, ok('B', 'B')],
    ['B', 'The final answer: x = 3', X, ok('B', 'B')],
    ['B', 'The final answer is x = 3', X, ok('B', 'B')],
    ['B', 'x = 3 answer', X, bad('B', null, 'no-answer')],
    ['A', 'green', { choices: ['\\text{green}', '\\text{red}'] }, ok('A', 'A')],
    // the option mentioned last, as a whole word
    ['B', 'I think green is right', { choices: ['red', 'green', 'blue'] }, ok('B', 'B')],
    ['A', 'I pick green', RG, bad('A', 'B', 'mismatch')],
    ['A', 'I pick red', RG, ok('A', 'A')],
    ['A', 'I pick blue', RG, bad('A', null, 'no-answer')],
    ['A', 'The answer is A, not green', RG, ok('A', 'A')],
    ['B', 'I pick green!', RG, ok('B', 'B')],
    ['B', 'I pick:green', RG, ok('B', 'B')],
    ['B', 'green!', RG, ok('B', 'B')],
    ['B', 'I choose 12', { choices: ['11', '12'] }, ok('B', 'B')],
    ['B', 'I like green!', { choices: ['', 'green'] }, ok('B', 'B')],
    ['A', 'I pick c1 or c9', { choices: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'] }, ok('A', 'A')],
    // yes / no
    ['yes', 'Yes', undefined, ok('yes', 'yes')],
    ['yes', 'The answer is yes.', undefined, ok('yes', 'yes')],
    ['no', 'The answer is no.', undefined, ok('no', 'no')],
    ['Yes.', 'It is yes', undefined, ok('yes', 'yes')],
    [' yes ', 'yes', undefined, ok('yes', 'yes')],
    [' no ', 'The answer is no.', undefined, ok('no', 'no')],
    ['yes', 'no', undefined, bad('yes', 'no', 'mismatch')],
    ['no', 'yes', undefined, bad('no', 'yes', 'mismatch')],
    ['.no', 'no', undefined, bad('.no', 'no', 'unparseable')],
    ['yes', 'green', RG, bad('yes', null, 'no-answer')],
  ])('%j vs %j %j', (gold, pred, opts, expected) => {
    expect(verifyAnswer(gold, pred, opts)).toEqual(expected);
  });

  it.each(['C', 'D'])('%s past the two given options is not a choice', (gold) => {
    const r = verifyAnswer(gold, 'green', { choices: ['red', 'green'] });
    expect(r.correct).toBe(false);
    expect(r.extracted).not.toBe('B');
  });
});

describe('verifyAnswer: errors', () => {
  it('reports stack exhaustion (RangeError) as unparseable', () => {
    const deep = {
      toLowerCase(): string {
        throw new RangeError('Maximum call stack size exceeded');
      },
    } as unknown as string;
    expect(verifyAnswer('5', '5', { choices: [deep] })).toEqual(bad('5', null, 'unparseable'));
  });

  it('lets a programming error through instead of calling it a timeout', () => {
    expect(() => verifyAnswer(null as unknown as string, '5')).toThrow(TypeError);
  });
});
