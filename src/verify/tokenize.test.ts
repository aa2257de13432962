import { describe, expect, it } from 'vitest';
import { ParseFailure, type Token, tokenize } from './tokenize.ts';

const num = (text: string, float = false): Token => ({ t: 'num', text, float });
const op = (text: string): Token => ({ t: 'op', text });
const word = (text: string): Token => ({ t: 'word', text });
const cmd = (name: string): Token => ({ t: 'cmd', name });
const text = (body: string, c = 'text'): Token => ({ t: 'text', text: body, cmd: c });
const END: Token = { t: 'end' };

describe('tokenize', () => {
  it.each<[string, Token[]]>([
    // whitespace of every kind is skipped
    ['1\t2\n3\r4\f5\u00a06\u30007 8', ['1', '2', '3', '4', '5', '6', '7', '8'].map((d) => num(d))],
    // numbers
    ['.5', [num('0.5', true)]],
    ['1.5', [num('1.5', true)]],
    ['1.x', [num('1'), op('.'), word('x')]],
    ['1e5', [num('1e5', true)]],
    ['6.673E-11', [num('6.673E-11', true)]],
    ['2e', [num('2'), word('e')]],
    ['3ex', [num('3'), word('ex')]],
    // thousands groups
    ['1,234,567', [num('1234567')]],
    ['123,456', [num('123456')]],
    ['1234,567', [num('1234'), op(','), num('567')]],
    ['012,345', [num('012'), op(','), num('345')]],
    ['1,2345', [num('1'), op(','), num('2345')]],
    ['(1,234)', [op('('), num('1'), op(','), num('234'), op(')')]],
    ['( 1,234)', [op('('), num('1'), op(','), num('234'), op(')')]],
    ['(x 1,234', [op('('), word('x'), num('1234')]],
    ['a{,1,234', [word('a'), op('{'), op(','), num('1234')]],
    // letters, commands, text
    ['Zz', [word('Zz')]],
    ['\\vertx', [cmd('vert'), word('x')]],
    ['\\vert', [cmd('vert')]],
    ['\\vertical', [cmd('vertical')]],
    ['\\{', [cmd('{')]],
    ['a\\\\b', [word('a'), op('\\\\'), word('b')]],
    ['\\text{ab c}', [text('ab c')]],
    ['\\text {ab}', [text('ab')]],
    ['\\text x', [cmd('text'), word('x')]],
    ['\\text x{y}', [cmd('text'), word('x'), op('{'), word('y'), op('}')]],
    ['\\text{a\\}b}', [text('a\\}b')]],
    ['\\mathrm{d}', [text('d', 'mathrm')]],
    // operators
    ['1==2', [num('1'), op('='), num('2')]],
    ['1<=2', [num('1'), op('<='), num('2')]],
    ['x**2', [word('x'), op('**'), num('2')]],
  ])('%j', (input, expected) => {
    expect(tokenize(input)).toEqual([...expected, END]);
  });

  it.each(['1 @ 2', '1\\', '#'])('rejects %j', (input) => {
    expect(() => tokenize(input)).toThrow(ParseFailure);
  });

  it('caps the number of tokens', () => {
    expect(tokenize('1 2 3', 2)).toHaveLength(4);
    expect(() => tokenize('1 2 3', 1)).toThrow(ParseFailure);
  });
});
