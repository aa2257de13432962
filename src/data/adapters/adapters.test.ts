import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedDataSkipReason, sharedPath } from '../../../test/shared-data.ts';
import { loadMathVerse, mathVerseRecordOf } from './mathverse.ts';
import { loadMathVision, mathVisionRecordOf } from './mathvision.ts';
import { loadMathVista, mathVistaRecordOf, parseMathVistaRecords } from './mathvista.ts';

describe('benchmark adapters', () => {
  it('names the pid and field of a malformed MathVista record', () => {
    expect(() => parseMathVistaRecords('x.json', { '7': { pid: '7', question: 'q' } })).toThrow(
      /x\.json \(field '7\.choices'\): MathVista record '7' is malformed/,
    );
  });
});

describe.skipIf(!hasSharedData)(
  `benchmark adapters on the real files (${hasSharedData ? 'shared data' : sharedDataSkipReason})`,
  () => {
    it('MathVista testmini: 1000 problems with the official query, choice answers as letters, official fields kept', async () => {
      const problems = await loadMathVista(sharedPath('mathvista', 'testmini.json'));
      expect(problems).toHaveLength(1000);
      const p3 = problems.find((p) => p.id === '3');
      expect(p3).toMatchObject({ answer: 'C', answerType: 'choice', images: ['images/3.jpg'], source: 'GeoQA+' });
      const record = mathVistaRecordOf(p3 as (typeof problems)[number]);
      expect(record.answer).toBe('145°');
      expect(record.query).toMatch(/^Hint: Please answer the question and provide the correct option letter/);
      expect(record.metadata.skills).toEqual(['geometry reasoning', 'algebraic reasoning']);
    });

    it('MathVerse text-only testmini: 788 problems with query_cot and subject/subfield', async () => {
      const problems = await loadMathVerse(sharedPath('mathverse', 'testmini_text_only.json'));
      expect(problems).toHaveLength(788);
      const record = mathVerseRecordOf(problems[0] as (typeof problems)[number]);
      expect(record.query_cot).toMatch(/^Please first conduct reasoning/);
      expect(record.metadata).toMatchObject({ subject: 'Plane Geometry', subfield: 'Angle' });
      expect(problems[0]?.images).toEqual([]);
    });

    it('MATH-Vision: 3040 test and 304 testmini problems with level, subject and image paths', async () => {
      const test = await loadMathVision(sharedPath('mathvision', 'test.jsonl'));
      const mini = await loadMathVision(sharedPath('mathvision', 'testmini.jsonl'));
      expect([test.length, mini.length]).toEqual([3040, 304]);
      const first = mini[0] as (typeof mini)[number];
      expect(first.images[0]).toMatch(/^images\/\d+\.jpg$/);
      const record = mathVisionRecordOf(first);
      expect(record.level).toBeGreaterThanOrEqual(1);
      expect(typeof record.subject).toBe('string');
    });
  },
);
