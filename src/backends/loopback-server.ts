import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP server on 127.0.0.1 for contract tests: it records every request (method, path, headers, parsed
 * JSON body) and answers through a scripted handler, which may also stall, cut the connection, or send broken JSON.
 * Tests use it to assert the exact bytes a client sends and to play faulty servers; it is not a mock of the client.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  readonly rawBody: string;
}

export type Reply =
  | { readonly status?: number; readonly json: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status?: number; readonly text: string; readonly contentType?: string }
  /** Drop the socket without answering (a server killed mid-request). */
  | { readonly destroy: true }
  /** Send headers and half a body, then drop the socket. */
  | { readonly truncate: string };

export type Handler = (req: RecordedRequest, index: number) => Reply | Promise<Reply>;

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

export async function startLoopbackServer(handler: Handler, port = 0): Promise<LoopbackServer> {
  let current = handler;
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const rawBody = await readBody(req);
    let body: unknown;
    try {
      body = rawBody.length > 0 ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body,
      rawBody,
    };
    const index = requests.push(recorded) - 1;
    try {
      send(res, await current(recorded, index));
    } catch (err) {
      send(res, {
        status: 500,
        json: { error: { message: String(err), type: 'test_handler', param: null, code: null } },
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    requests,
    setHandler: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if ('destroy' in reply) {
    res.socket?.destroy();
    return;
  }
  if ('truncate' in reply) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(reply.truncate.length * 2) });
    res.write(reply.truncate, () => res.socket?.destroy());
    return;
  }
  if ('json' in reply) {
    const text = JSON.stringify(reply.json);
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(text);
    return;
  }
  res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'text/plain' });
  res.end(reply.text);
}

/** Wait `ms`; for handlers that play a slow server. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
