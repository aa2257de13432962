import { readJsonlAll } from './src/data/index.ts';
import { policyPromptText } from './src/data/problem-text.ts';
import { Problem } from './src/data/types.ts';
import { createVlmRuntime, loadCheckpoint } from './src/model/index.ts';
import { parseGrpoConfig, runGrpo } from './src/train/index.ts';
import { encodeProblems, heldOutAccuracy, type PolicyState } from './src/train/policy-io.ts';
import { openVLThinkerReward } from './src/verify/rewards.ts';

const [run, steps, lr, freeze, extra] = process.argv.slice(2);
const root = `${run}/embedded`;
const ck = await loadCheckpoint(`${root}/round-1/sft`);
const policy: PolicyState = { config: ck.config, params: ck.params, tokenizer: ck.tokenizer };
const rl = (await readJsonlAll(process.env.RLFILE ?? `${root}/round-1/rl-data/medium.jsonl`, Problem)).records;
const test = (await readJsonlAll(`${root}/data/test.jsonl`, Problem)).records;
const img = `${root}/data`;
const P = await encodeProblems(rl, policy, img, policyPromptText);
const T = await encodeProblems(test, policy, img, policyPromptText);
async function measure(p: PolicyState) {
  const rt = await createVlmRuntime(p.config, p.params, { session: { intraOpThreads: 1 } });
  const g = (await heldOutAccuracy(rt, p.tokenizer, T, { maxTokens: 64 })).accuracy;
  const rows = T.flatMap((e) => [e, e]);
  const s = (await heldOutAccuracy(rt, p.tokenizer, rows, { maxTokens: 64, temperature: 0.5, seed: 3 })).accuracy;
  const gtrain = (await heldOutAccuracy(rt, p.tokenizer, P, { maxTokens: 64 })).accuracy;
  return { greedy: g, t05: s, greedyTrain: gtrain };
}
console.log('before', await measure(policy));
const res = await runGrpo({
  config: parseGrpoConfig({ lr: Number(lr), maxResponseTokens: 64, ...(extra ? JSON.parse(extra) : {}) }),
  policy,
  problems: P,
  totalSteps: Number(steps),
  freezeVision: freeze === 'true',
  threads: 1,
  score: (text, i) => {
    const r = openVLThinkerReward(text, (rl[i] as Problem).answer);
    return { score: r.score, correct: r.components.accuracy === 1, formatOk: r.components.format === 1 };
  },
  onStep: (m) => {
    if (Number(m.step) % 10 === 0) console.log(JSON.stringify({ step: m.step, acc: m.accuracy, kl: m.kl, ent: m.entropy, gn: m.grad_norm }));
  },
});
console.log('after', await measure(res.policy));
