import { z } from 'zod';
import { AbortedError, BackendError } from '../core/index.ts';

/**
 * Tells a running SGLang server to load new weights in place: `POST /update_weights_from_disk {"model_path"}`,
 * answered 200 `{"success": true, ...}` or 400 `{"success": false, "message"}` (SGLang http_server.py). The server keeps
 * serving the same model name; clients should change their response-cache namespace (see cacheNamespace).
 */
export const SglangUpdateResponse = z.looseObject({ success: z.boolean(), message: z.string().optional() });

export async function reloadServing(url: string, modelPath: string, signal?: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model_path: modelPath }),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(600_000)]) : AbortSignal.timeout(600_000),
    });
  } catch (err) {
    if (signal?.aborted) throw new AbortedError('serving reload');
    throw new BackendError(url, `cannot reach the serving endpoint to load ${modelPath}: ${(err as Error).message}`, {
      retryable: true,
      cause: err,
    });
  }
  const text = await res.text();
  // SGLang answers 200 {success: true} or 400 {success: false, message}; anything else is unexpected.
  let parsed: z.infer<typeof SglangUpdateResponse> | undefined;
  try {
    parsed = SglangUpdateResponse.parse(JSON.parse(text));
  } catch {
    parsed = undefined;
  }
  if (parsed?.success === true && res.ok) return;
  if (parsed?.success === false)
    throw new BackendError(url, `the server could not load ${modelPath}: ${parsed.message ?? 'no message'}`, {
      status: res.status,
      hint: 'the previous weights stay loaded; check the path is visible to the server and matches its architecture',
    });
  throw new BackendError(url, `unexpected reload response: ${text.slice(0, 300)}`, { status: res.status });
}
