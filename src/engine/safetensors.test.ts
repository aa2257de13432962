import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from './index.ts';

describe('safetensors', () => {
  it('round-trips F32 and I64 tensors and metadata, with an 8-byte aligned header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-st-'));
    const path = join(dir, 'a.safetensors');
    const w = Float32Array.from([1.5, -2, 3.25, 0, 7, 8]);
    const ids = BigInt64Array.from([1n, -5n, 9007199254740993n]);
    await saveSafetensors(
      path,
      { 'layer.w': { data: w, shape: [2, 3] }, ids: { data: ids, shape: [3] } },
      { step: '12' },
    );
    const bytes = await readFile(path);
    const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8'));
    expect(header['layer.w']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [24, 48] });
    const back = await loadSafetensors(path);
    expect(Array.from(back.tensors['layer.w']?.data as Float32Array)).toEqual(Array.from(w));
    expect(back.tensors['layer.w']?.shape).toEqual([2, 3]);
    expect(Array.from(back.tensors.ids?.data as BigInt64Array)).toEqual(Array.from(ids));
    expect(back.metadata).toEqual({ step: '12' });
  });

  it('names the file and problem for truncated or malformed input', async () => {
    expect(() => decodeSafetensors(new Uint8Array(3), 'x.safetensors')).toThrow(/x.safetensors.*shorter/);
    const good = encodeSafetensors({ a: { data: new Float32Array(4), shape: [4] } });
    expect(() => decodeSafetensors(good.subarray(0, good.length - 4), 'y.safetensors')).toThrow(/'a'.*out of range/);
    const dir = await mkdtemp(join(tmpdir(), 'vlthink-st-'));
    await writeFile(join(dir, 'bad.safetensors'), Buffer.from([4, 0, 0, 0, 0, 0, 0, 0, 123, 125, 125, 125]));
    await expect(loadSafetensors(join(dir, 'bad.safetensors'))).rejects.toThrow(/not valid JSON/);
    expect(() => encodeSafetensors({ a: { data: new Float32Array(3), shape: [2, 2] } })).toThrow(/needs 4 values/);
  });
});
