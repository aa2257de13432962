import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { BackendError, ConfigError, type Logger, silentLogger } from '../core/index.ts';
import { isAuthorized, unauthorizedBody } from './http-auth.ts';
import {
  type ErrorBody,
  OpenRlhfRewardRequest,
  type OpenRlhfRewardResponse,
  RewardRequest,
  type RewardResponse,
} from './reward-wire.ts';
import type { RewardSpec } from './types.ts';

/**
 * The reward server: external RL engines (EasyR1 through a Python shim, OpenRLHF through `--remote_rm_url`) score
 * rollouts with vlthink's TypeScript rewards over HTTP, so there is one implementation of every reward.
 *
 * Endpoints: `POST /v1/reward` (vlthink batch), `POST /get_reward` (OpenRLHF), `GET /health`.
 * Bad requests get a 400 whose body says what is wrong and where; a scorer that throws (a bug) gets a 500 for that
 * request; the server itself keeps running either way.
 */

/** The port `vlthink reward-server` listens on unless told otherwise; the scale-out `rewardUrl` default points here. */
export const DEFAULT_REWARD_SERVER_PORT = 8700;

/** One sample's reward and its logged parts (e.g. accuracy, format). */
export interface RewardOutcome {
  readonly score: number;
  readonly components: Readonly<Record<string, number>>;
}

/** Scores a batch: outcome i is for responses[i] against golds[i]. */
export type BatchScorer = (spec: RewardSpec, responses: readonly string[], golds: readonly string[]) => RewardOutcome[];

export interface RewardServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  readonly score: BatchScorer;
  /** The reward OpenRLHF requests get (its payload names none). */
  readonly openRlhfReward?: RewardSpec;
  /** Largest accepted body in bytes. */
  readonly maxBodyBytes?: number;
  /** When set, every request but GET /health needs `Authorization: Bearer <apiKey>` (http-auth.ts). */
  readonly apiKey?: string;
  readonly logger?: Logger;
}

export interface RewardServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class Unauthorized extends Error {}

export async function startRewardServer(options: RewardServerOptions): Promise<RewardServer> {
  const logger = options.logger ?? silentLogger;
  const maxBody = options.maxBodyBytes ?? 256 * 1024 * 1024;
  const openRlhfReward = options.openRlhfReward ?? { name: 'openvlthinker' };

  const route = async (req: IncomingMessage): Promise<unknown> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      if (req.method !== 'GET') throw new HttpError(405, `${path} takes GET, got ${req.method}`);
      return { status: 'ok' };
    }
    if (path !== '/v1/reward' && path !== '/get_reward')
      throw new HttpError(404, `no endpoint ${path}; use POST /v1/reward, POST /get_reward or GET /health`);
    if (req.method !== 'POST') throw new HttpError(405, `${path} takes POST, got ${req.method}`);
    if (!isAuthorized(req, options.apiKey)) throw new Unauthorized();
    const body = await readJson(req, maxBody);
    return path === '/v1/reward'
      ? scoreNative(body, options.score)
      : scoreOpenRlhf(body, options.score, openRlhfReward);
  };

  const server = createServer((req, res) => {
    route(req).then(
      (payload) => reply(res, 200, payload),
      (err: unknown) => {
        if (err instanceof Unauthorized) return reply(res, 401, unauthorizedBody());
        if (err instanceof HttpError) return reply(res, err.status, errorBody(err.status, err.message));
        // A bad reward spec in the request (e.g. an unknown reward in a mix) is the client's error.
        if (err instanceof ConfigError) return reply(res, 400, errorBody(400, err.describe()));
        logger.error('reward scorer failed', { error: String(err) });
        reply(res, 500, errorBody(500, `the reward scorer failed: ${(err as Error).message ?? String(err)}`));
      },
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new BackendError(`http://${options.host ?? '127.0.0.1'}:${options.port}`, err.message)),
    );
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  logger.info(`reward server listening on ${url}`);
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function scoreNative(body: unknown, score: BatchScorer): RewardResponse {
  const request = parseOr400(RewardRequest, body, 'POST /v1/reward');
  const spec: RewardSpec = request.weights
    ? { name: request.reward, weights: request.weights }
    : { name: request.reward };
  const outcomes = scoreChecked(score, spec, request.responses, request.ground_truths);
  return {
    reward: request.reward,
    scores: outcomes.map((o) => o.score),
    components: outcomes.map((o) => ({ ...o.components })),
  };
}

function scoreOpenRlhf(body: unknown, score: BatchScorer, spec: RewardSpec): OpenRlhfRewardResponse {
  const request = parseOr400(OpenRlhfRewardRequest, body, 'POST /get_reward');
  const responses = request.query.map((q, i) => {
    const prompt = request.prompts?.[i];
    return prompt !== undefined && q.startsWith(prompt) ? q.slice(prompt.length) : q;
  });
  const outcomes = scoreChecked(score, spec, responses, request.labels);
  const extraLogs: Record<string, number[]> = {};
  outcomes.forEach((o, i) => {
    for (const [name, value] of Object.entries(o.components)) {
      const column = extraLogs[name] ?? new Array<number>(outcomes.length).fill(0);
      column[i] = value;
      extraLogs[name] = column;
    }
  });
  const scores = outcomes.map((o) => o.score);
  return { rewards: scores, scores, extra_logs: extraLogs };
}

function scoreChecked(
  score: BatchScorer,
  spec: RewardSpec,
  responses: readonly string[],
  golds: readonly string[],
): RewardOutcome[] {
  const outcomes = score(spec, responses, golds);
  if (outcomes.length !== responses.length)
    throw new Error(`scorer returned ${outcomes.length} outcomes for ${responses.length} responses`);
  return outcomes;
}

function parseOr400<T>(schema: z.ZodType<T>, body: unknown, where: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, `${where}: invalid request:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Answer now; drain the rest of the upload unread so the client sees the 413 instead of a reset.
        reject(new HttpError(413, `body over ${maxBytes} bytes; send smaller batches`));
        chunks.length = 0;
        return;
      }
      if (size <= maxBytes) chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (size > maxBytes) return;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new HttpError(400, `the body is not JSON: ${(err as Error).message}`));
      }
    });
  });
}

function errorBody(status: number, message: string): ErrorBody {
  return { error: { message, status } };
}

function reply(res: ServerResponse, status: number, payload: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
