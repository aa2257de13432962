import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Who may call vlthink's servers (`serve`, `reward-server`): with an API key set (`--api-key`, or the
 * VLTHINK_API_KEY environment variable, as vLLM has `--api-key` / VLLM_API_KEY), every request but `GET /health` must
 * carry `Authorization: Bearer <key>`; others get a 401 with an OpenAI-style error body. The key is compared in
 * constant time and is never logged, echoed, or written to a manifest.
 */
export const API_KEY_ENV = 'VLTHINK_API_KEY';

/** The key from the flag, else the environment; empty means none. */
export function resolveApiKey(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = flag ?? env[API_KEY_ENV];
  return key === undefined || key === '' ? undefined : key;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export function isAuthorized(req: IncomingMessage, apiKey: string | undefined): boolean {
  if (apiKey === undefined) return true;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  return timingSafeEqual(digest(match[1] ?? ''), digest(apiKey));
}

/** The body OpenAI (and vLLM) send with a 401, so OpenAI clients raise their AuthenticationError. */
export function unauthorizedBody(): {
  error: { message: string; type: string; param: null; code: string; status: number };
} {
  return {
    error: {
      message: `missing or wrong API key: send the header 'Authorization: Bearer <key>' (the server's --api-key or ${API_KEY_ENV})`,
      type: 'invalid_request_error',
      param: null,
      code: 'invalid_api_key',
      status: 401,
    },
  };
}

/** 127.0.0.1, ::1, localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
