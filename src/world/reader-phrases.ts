import type { Rng } from '../core/index.ts';
import { fill } from './caption.ts';

/**
 * Every sentence the caption reader can write, as templates with `{slot}`s; variants of one step are picked at random
 * so k samples of one problem read differently. Exported whole for the vocabulary.
 */
export const READER_PHRASES = {
  // counting
  lookFor: ['i look for the {things} .', 'i need to count the {things} .', 'let me find the {things} .'],
  enumerate: ['i count the {things} : {enum} .', 'counting the {things} : {enum} .', 'the {things} : {enum} .'],
  noneSeen: ['i do not see any {things} .', 'there are no {things} .'],
  countIs: ['so there are {n} {things} .', 'that makes {n} {things} .', 'so the number of {things} is {n} .'],
  sum: ['{expr} = {n} .', 'adding them : {expr} = {n} .'],
  notColor: ['i need the shapes that are not {color} .', 'i count every shape that is not {color} .'],
  moreSub: ['{a} - {b} = {n} .', 'the difference is {a} - {b} = {n} .'],
  notMore: ['{a} is not more than {b} , so there are 0 more .'],
  moreYes: ['{a} is more than {b} , so yes .', 'since {a} > {b} , the answer is yes .'],
  moreNo: ['{a} is not more than {b} , so no .', 'since {a} is not more than {b} , the answer is no .'],
  // bars
  readBar: ['the {color} bar reaches {v} .', 'the {color} bar is at {v} .', 'i read the {color} bar : {v} .'],
  guessBar: ['i cannot read the {color} bar well , it looks like about {v} .'],
  guessOtherBar: ['i cannot read one more bar well , it looks like about {v} .'],
  barValue: ['so the value is {v} .', 'the value of the {color} bar is {v} .'],
  compareBars: ['{a} is taller than {b} , so yes .', '{a} > {b} , so yes .'],
  compareBarsNo: ['{a} is not taller than {b} , so no .', '{a} is not more than {b} , so no .'],
  extreme: ['the {which} bar is the {color} one with {v} .', 'so the {color} bar is the {which} .'],
  barDiff: ['the difference is {a} - {b} = {n} .', '{a} - {b} = {n} .'],
  barSum: ['the sum is {expr} = {n} .', 'adding all the bars : {expr} = {n} .'],
  barRange: ['the tallest is {a} and the shortest is {b} , so {a} - {b} = {n} .'],
  // triangle
  angleRule: ['the angles of a triangle add up to 180 degrees .', 'the three angles sum to 180 degrees .'],
  knownAngles: ['the two labelled angles are {a} and {b} .', 'i read {a} degrees and {b} degrees .'],
  oneAngle: ['i can only read one angle , {a} . i guess the other one is {b} .'],
  noAngle: ['i cannot read the angles , i guess {a} and {b} .'],
  angleSum: ['{a} + {b} = {s} .', 'together they make {a} + {b} = {s} .'],
  angleRest: ['180 - {s} = {m} .', 'so the missing angle is 180 - {s} = {m} .'],
  largest: ['the three angles are {a} , {b} and {c} , so the largest is {m} .'],
  // rectangle
  readSide: ['the {side} is labelled {v} .', 'the {side} of the rectangle is {v} .'],
  guessSide: ['i cannot read the {side} , i guess it is {v} .'],
  area: ['the area is {w} times {h} = {n} .', 'width times height : {w} times {h} = {n} .'],
  widerYes: ['{w} is more than {h} , so it is wider than tall : yes .'],
  widerNo: ['{w} is not more than {h} , so it is not wider than tall : no .'],
  opposite: ['the {a} side is {v} , so the {b} side is also {v} .'],
  perimeter: [
    'the perimeter is {w} + {h} + {w} + {h} = {n} .',
    'adding the four sides : {w} + {h} + {w} + {h} = {n} .',
  ],
  // clock
  hourHand: ['the short hand points to {h} , so the hour is {h} .', 'the hour hand is at {h} .'],
  hourHandPast: ['the short hand is just past {h} , so the hour is {h} .'],
  guessHour: ['i cannot see the hour hand well , i guess {h} .'],
  minuteHand: ['the long hand points to {m} .', 'the minute hand is at {m} .'],
  guessMinute: ['i cannot see the minute hand well , i guess it points to 12 .'],
  minuteTop: ['the long hand at 12 means 0 minutes .'],
  minutes: ['{m} times 5 = {mm} minutes .', 'each number is 5 minutes , so {m} times 5 = {mm} .'],
  timeIs: ['so the time is {t} .', 'the clock shows {t} .'],
  hourIs: ['so it is {h} .', 'so the hour is {h} .'],
  hourWillBe: ['so it will be {h} .', 'so the hour will be {h} .'],
  addMinutes: ['{mm} + {dm} = {t} minutes .'],
  carry: [
    '{total} minutes is 1 hour and {t} minutes .',
    'that is 60 or more , so i carry 1 hour and keep {t} minutes .',
  ],
  addHours: ['{h} + {dh} = {n} .'],
  wrap: ['a clock only goes to 12 , so {n} is {w} .'],
  // positions
  locate: ['the {obj} is {at} , in row {r} and column {c} .', 'i find the {obj} {at} : row {r} , column {c} .'],
  notFound: ['i cannot find the {obj} , i guess it is in row 2 and column 2 .'],
  lookCell: ['i look at the {pos} cell .'],
  cellHas: ['there is a {obj} .', 'i see a {obj} there .'],
  cellGuess: ['i cannot tell what is there , i guess a {obj} .'],
  relCol: ['column {a} is {cmp} column {b} .'],
  relRow: ['row {a} is {cmp} row {b} .'],
  relYes: ['so yes , the {a} is {rel} the {b} .'],
  relNo: ['so no , the {a} is not {rel} the {b} .'],
  neighborCell: ['directly {rel} it is row {r} , column {c} .'],
  checkOther: ['the {obj} is in {axis} {v} : {yn} .'],
  countRel: ['so {n} shapes are {rel} the {obj} .', 'that makes {n} shapes {rel} the {obj} .'],
  // choices, reflection, failures
  option: ['{v} is option {l} .', 'that matches option {l} .', 'this is option {l} .'],
  closest: ['{v} is not an option , the closest is {x} , option {l} .'],
  noOption: ['{v} is not an option , i pick option {l} .'],
  detour: ['wait , let me check again .', 'wait , let me recount .', 'but wait , let me make sure .'],
  confirm: ['yes , the answer is still {v} .', 'yes , {v} is right .'],
  lost: ['i do not understand the question .'],
} as const;

export type PhraseKey = keyof typeof READER_PHRASES;

export function say(rng: Rng, key: PhraseKey, slots: Record<string, string | number> = {}): string {
  return fill(rng.pick(READER_PHRASES[key]), slots);
}

/** "1 , 2 , 3" */
export function enumerate(n: number): string {
  return Array.from({ length: n }, (_, i) => String(i + 1)).join(' , ');
}
