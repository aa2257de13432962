import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Atomic writes: data goes to a temp file beside the target, is flushed to disk, then renamed over the target.
 * A reader sees either the old file or the whole new one, never a half-written file, even after SIGKILL.
 */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A streaming atomic writer for large outputs (JSONL): `write` appends to the temp file, `commit` flushes and renames,
 * `abort` deletes the temp file. Until `commit` resolves, the target path is untouched.
 */
export interface AtomicWriter {
  readonly path: string;
  write(chunk: string | Uint8Array): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export async function createAtomicWriter(path: string): Promise<AtomicWriter> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  const stream = createWriteStream(tmp);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  let done = false;
  // One listener for the stream's whole life: a failed write rejects every later call with the same error.
  let failure: Error | undefined;
  stream.on('error', (err) => {
    failure = err;
  });
  const finish = () =>
    new Promise<void>((resolve, reject) => {
      stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  return {
    path,
    write: (chunk) => {
      if (done) return Promise.reject(new Error(`atomic writer for ${path} is already closed`));
      if (failure) return Promise.reject(failure);
      if (stream.write(chunk)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          stream.off('error', onError);
          resolve();
        };
        const onError = (err: Error) => {
          stream.off('drain', onDrain);
          reject(err);
        };
        stream.once('drain', onDrain);
        stream.once('error', onError);
      });
    },
    commit: async () => {
      if (done) return;
      done = true;
      await finish();
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
    },
    abort: async () => {
      if (done) return;
      done = true;
      await finish().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}

/**
 * `mkdir -p` one level at a time. Node 20's recursive mkdir never returns on some paths (under /proc it retries
 * ENOENT forever), so user-given folders are made here: each missing level with a plain mkdir, whose error (ENOENT,
 * ENOTDIR, EACCES, EROFS) names the level that failed.
 */
export async function makeDirs(path: string): Promise<void> {
  const missing: string[] = [];
  let dir = resolve(path);
  for (;;) {
    const info = await stat(dir).catch((err: { code?: string }) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (info) {
      if (!info.isDirectory()) {
        throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), {
          code: 'ENOTDIR',
          syscall: 'mkdir',
          path: dir,
        });
      }
      break;
    }
    missing.push(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const level of missing.reverse()) {
    await mkdir(level).catch((err: { code?: string }) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}
