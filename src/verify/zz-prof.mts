import { readFileSync } from 'node:fs';
import { type ExtractionTarget, verifyAnswer } from './index.ts';

const d = JSON.parse(readFileSync('/work/shared/data/verifier/math_verify_cases.json', 'utf8'));
const isNum = (c: any) =>
  c.config.extraction.includes('NativeLetters') ||
  /^-?\d+(?:\.\d+)?$/.test(c.parsed_gold?.[0] ?? '') ||
  /^-?\d+\/\d+$/.test(c.parsed_gold?.[0] ?? '') ||
  /^\d+\*\(1\/100\)$/.test(c.parsed_gold?.[0] ?? '');
const items = d.cases
  .filter(isNum)
  .map((c: any) => ({
    c,
    opts: {
      extraction: c.config.extraction.map((t: string) => (t === 'NativeLetters' ? 'letters' : t)) as ExtractionTarget[],
      boxedPriority: c.config.latex_boxed_match_priority,
      floatRounding: c.config.float_rounding,
      strict: c.config.strict,
      allowSetRelationComp: c.config.allow_set_relation_comp,
      answerTag: false,
    },
  }));
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let k = 0; k < 150; k++) for (const it of items) verifyAnswer(it.c.gold, it.c.prediction, it.opts);
const cpu = process.cpuUsage(c0);
console.log(
  'per wall s',
  ((150 * items.length) / ((performance.now() - t0) / 1000)).toFixed(0),
  'per cpu s',
  ((150 * items.length) / ((cpu.user + cpu.system) / 1e6)).toFixed(0),
);
