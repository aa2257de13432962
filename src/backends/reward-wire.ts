import { z } from 'zod';

/**
 * Wire formats of the reward server (snake_case stays here).
 *
 * vlthink's own batch call, `POST /v1/reward` — what the EasyR1 shim sends:
 *   {"reward": "openvlthinker", "responses": ["<think>..</think><answer>4</answer>"], "ground_truths": ["4"]}
 *   -> {"reward": "openvlthinker", "scores": [1], "components": [{"accuracy": 1, "format": 1, ...}]}
 *
 * OpenRLHF's remote reward model, `POST /get_reward` (openrlhf/utils/remote_rm_utils.py: `--remote_rm_url`):
 *   {"query": [prompt + response, ...], "prompts": [prompt, ...], "labels": [gold, ...]}
 *   -> {"rewards": [...], "scores": [...], "extra_logs": {"accuracy": [...], ...}}
 *   The response is `query` with its `prompts` prefix removed (OpenRLHF sends the templated prompt + response).
 */
export const RewardName = z
  .enum(['accuracy', 'format', 'openvlthinker', 'mix'])
  .describe('which verify/ reward to compute (RewardSpec.name)');

export const RewardRequest = z
  .object({
    reward: RewardName,
    weights: z
      .record(z.string(), z.number().finite())
      .optional()
      .describe('for `mix`: weight per component reward name'),
    responses: z.array(z.string()).max(100_000).describe('model outputs, one per sample'),
    ground_truths: z.array(z.string()).describe('gold answers, aligned with `responses`'),
  })
  .refine((r) => r.responses.length === r.ground_truths.length, {
    message: 'responses and ground_truths must have the same length',
    path: ['ground_truths'],
  });
export type RewardRequest = z.infer<typeof RewardRequest>;

export const RewardResponse = z.object({
  reward: RewardName,
  scores: z.array(z.number()),
  components: z.array(z.record(z.string(), z.number())),
});
export type RewardResponse = z.infer<typeof RewardResponse>;

export const OpenRlhfRewardRequest = z
  .object({
    query: z.array(z.string()).max(100_000).describe('templated prompt + response, per sample'),
    prompts: z.array(z.string()).optional().describe('templated prompt, per sample; stripped from `query`'),
    labels: z.array(z.string()).describe('gold answers (OpenRLHF --label_key), per sample'),
  })
  .refine((r) => r.query.length === r.labels.length, { message: 'query and labels must have the same length' })
  .refine((r) => r.prompts === undefined || r.prompts.length === r.query.length, {
    message: 'prompts and query must have the same length',
  });
export type OpenRlhfRewardRequest = z.infer<typeof OpenRlhfRewardRequest>;

export const OpenRlhfRewardResponse = z.object({
  rewards: z.array(z.number()),
  scores: z.array(z.number()),
  extra_logs: z.record(z.string(), z.array(z.number())),
});
export type OpenRlhfRewardResponse = z.infer<typeof OpenRlhfRewardResponse>;

export const ErrorBody = z.object({ error: z.object({ message: z.string(), status: z.number().int() }) });
export type ErrorBody = z.infer<typeof ErrorBody>;
