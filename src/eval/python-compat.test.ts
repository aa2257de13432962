import { describe, expect, it } from 'vitest';
import {
  pyFloatRepr,
  pyFormatFixed,
  pyParseFloat,
  pyParseInt,
  pyRepr,
  pyRound,
  pyRoundToInt,
  pyStr,
} from './python-compat.ts';

// Expected values were printed by CPython 3.11.
describe('python number semantics', () => {
  it.each([
    [3, '3.0'],
    [1e-5, '1e-05'],
    [1e16, '1e+16'],
    [0.1 + 0.2, '0.30000000000000004'],
    [123456789012345680, '1.2345678901234568e+17'],
    [1e-4, '0.0001'],
    [2.5e-7, '2.5e-07'],
    [-0, '-0.0'],
    [1.5e300, '1.5e+300'],
    [9999999999999998, '9999999999999998.0'],
    [0.001, '0.001'],
    [100, '100.0'],
  ])('repr(%d) is %s', (x, expected) => {
    expect(pyFloatRepr(x)).toBe(expected);
  });

  it.each([
    [2.675, 2, 2.67],
    [0.125, 2, 0.12],
    [0.375, 2, 0.38],
    [2.5, 0, 2],
    [3.5, 0, 4],
    [-2.5, 0, -2],
    [1.005, 2, 1],
    [14.55, 1, 14.6],
    [1234.5, -1, 1230],
  ])('round(%d, %d) is %d (ties to even on the exact binary value)', (x, n, expected) => {
    expect(pyRound(x, n)).toBe(expected);
  });

  it('rounds to an int with ties to even when ndigits is None', () => {
    expect([0.5, 1.5, -0.5, 2.5].map((x) => pyRoundToInt(x))).toEqual([0n, 2n, -0n, 2n]);
  });

  it.each([
    [0.125, '0.12'],
    [2.675, '2.67'],
    [(1 / 3) * 100, '33.33'],
    [0.005, '0.01'],
    [-0.001, '-0.00'],
    [46.665, '46.66'],
  ])("'{:.2f}'.format(%d) is %s", (x, expected) => {
    expect(pyFormatFixed(x, 2)).toBe(expected);
  });

  it.each([
    [' 1_000 ', 1000n],
    ['3.0', null],
    ['+7', 7n],
    ['-0', 0n],
    ['1__0', null],
    ['_1', null],
    ['١٢', 12n],
    ['１２', 12n],
    ['', null],
  ])('int(%j) is %s', (s, expected) => {
    expect(pyParseInt(s)).toBe(expected);
  });

  it.each([
    ['1e3', 1000],
    [' .5 ', 0.5],
    ['5.', 5],
    ['inf', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['1_0.5', 10.5],
    ['1e', null],
    ['.', null],
    ['0x10', null],
    ['1_000e1_0', 1e13],
  ])('float(%j) is %s', (s, expected) => {
    expect(pyParseFloat(s)).toBe(expected);
  });

  it('prints JSON values the way Python str() does', () => {
    expect(pyStr(null)).toBe('None');
    expect(pyStr([2014, 2016])).toBe('[2014, 2016]');
    expect(pyStr(['a', "it's", 1.5, true])).toBe(`['a', "it's", 1.5, True]`);
    expect(pyRepr('x\ny')).toBe("'x\\ny'");
  });
});
