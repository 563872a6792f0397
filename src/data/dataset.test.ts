import { describe, expect, it } from 'vitest';
import { classCounts, type Dataset, DataError, gatherRows, type RawDataset, take, toFloat, validateDataset } from './dataset';

const raw: RawDataset = {
  name: 'tiny',
  images: Uint8Array.of(0, 255, 51, 102, 7, 8),
  labels: Uint8Array.of(2, 0, 2),
  n: 3,
  height: 1,
  width: 2,
  channels: 1,
  numClasses: 3,
};

describe('dataset helpers', () => {
  it('toFloat maps bytes to [0, 1] and keeps the header', () => {
    const f = toFloat(raw);
    expect(Array.from(f.images.subarray(0, 4))).toEqual([0, 1, Math.fround(0.2), Math.fround(0.4)]);
    expect(f.images).toBeInstanceOf(Float32Array);
    expect([f.n, f.numClasses, f.name]).toEqual([3, 3, 'tiny']);
  });

  it('take copies rows and labels in the given order, and checks the indices', () => {
    const t = take(raw, [2, 0]);
    expect(Array.from(t.images)).toEqual([7, 8, 0, 255]);
    expect(Array.from(t.labels)).toEqual([2, 2]);
    expect(t.n).toBe(2);
    expect(() => take(raw, [3])).toThrow(/out of range \[0, 3\) of tiny/);
    expect(gatherRows(Buffer.from([1, 2, 3]), 1, [2]).constructor).toBe(Uint8Array);
  });

  it('classCounts counts labels per class', () => {
    expect(classCounts(raw)).toEqual([1, 0, 2]);
  });

  it('validateDataset catches arrays that disagree with the header', () => {
    expect(() => validateDataset(raw)).not.toThrow();
    const bad = (patch: Partial<Dataset>) => () => validateDataset({ ...toFloat(raw), ...patch });
    expect(bad({ n: 4 })).toThrow(/images has 6 values, expected n\*h\*w\*c = 4\*1\*2\*1 = 8/);
    expect(bad({ labels: Uint8Array.of(0, 1) })).toThrow(/labels has 2 entries, expected n = 3/);
    expect(bad({ labels: Uint8Array.of(0, 1, 3) })).toThrow(/label 3 at index 2 is out of range \[0, 3\)/);
    expect(bad({ channels: 0 })).toThrow(DataError);
  });
});
