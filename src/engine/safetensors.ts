/**
 * safetensors (the Hugging Face format): an 8-byte little-endian header length, a JSON header mapping each tensor
 * name to { dtype, shape, data_offsets } (plus an optional string-to-string "__metadata__"), then the raw
 * little-endian data. F32 and I64 are supported; files are written atomically (temp + rename).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DataError, writeFileAtomic } from '../core/index.ts';

export interface NamedTensor {
  readonly data: Float32Array | BigInt64Array;
  readonly shape: readonly number[];
}

export interface SafetensorsFile {
  readonly tensors: Record<string, NamedTensor>;
  readonly metadata: Record<string, string>;
}

const EntrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().min(0)),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
});

/** Serialize tensors (sorted by name, as the reference implementation does) into safetensors bytes. */
export function encodeSafetensors(
  tensors: Readonly<Record<string, NamedTensor>>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name] as NamedTensor;
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length)
      throw new DataError(name, `shape [${t.shape.join(', ')}] needs ${size} values, got ${t.data.length}`);
    const bytes = t.data.byteLength;
    header[name] = {
      dtype: t.data instanceof Float32Array ? 'F32' : 'I64',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces to an 8-byte boundary so the data stays aligned.
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name] as NamedTensor;
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Parse safetensors bytes; `file` names the source in errors. */
export function decodeSafetensors(bytes: Uint8Array, file = '<bytes>'): SafetensorsFile {
  if (bytes.length < 8) throw new DataError(file, 'not a safetensors file: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8)
    throw new DataError(file, `header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new DataError(file, 'safetensors header is not valid JSON', { cause: err });
  }
  const base = 8 + n;
  const tensors: Record<string, NamedTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = z.record(z.string(), z.string()).parse(raw);
      continue;
    }
    const parsed = EntrySchema.safeParse(raw);
    if (!parsed.success) throw new DataError(file, `tensor '${name}': malformed header entry`, { field: name });
    const {
      dtype,
      shape,
      data_offsets: [start, end],
    } = parsed.data;
    if (base + end > bytes.length || start > end)
      throw new DataError(file, `tensor '${name}': data offsets out of range`, { field: name });
    const size = shape.reduce((a, b) => a * b, 1);
    const slice = bytes.slice(base + start, base + end);
    let data: Float32Array | BigInt64Array;
    if (dtype === 'F32') data = new Float32Array(slice.buffer, slice.byteOffset, slice.byteLength / 4);
    else if (dtype === 'I64') data = new BigInt64Array(slice.buffer, slice.byteOffset, slice.byteLength / 8);
    else throw new DataError(file, `tensor '${name}': dtype ${dtype} is not supported (F32, I64 are)`, { field: name });
    if (data.length !== size)
      throw new DataError(
        file,
        `tensor '${name}': shape [${shape.join(', ')}] does not match its ${data.length} values`,
        { field: name },
      );
    tensors[name] = { data, shape };
  }
  return { tensors, metadata };
}

export async function saveSafetensors(
  path: string,
  tensors: Readonly<Record<string, NamedTensor>>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export async function loadSafetensors(path: string): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DataError(path, 'cannot read safetensors file', { cause: err, hint: 'check the checkpoint directory' });
  }
  return decodeSafetensors(bytes, path);
}
