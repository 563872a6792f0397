import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, encodeCifarBatch, parseCifarBatch, readCifar10 } from './cifar10';
import { DataError } from './dataset';

const root = mkdtempSync(join(tmpdir(), 'bn-cifar-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => {
  const d = join(root, `d${counter++}`);
  mkdirSync(d);
  return d;
};

/**
 * A record whose pixel at (row, col) in channel ch has a value that encodes all three, so a
 * mix-up of rows, columns or channels shows: R = row*8 + col/4 (0..255), G = 255 - R, B = k*40 + col.
 */
function knownRecord(label: number, k: number): Uint8Array {
  const rec = new Uint8Array(CIFAR10_RECORD_BYTES);
  rec[0] = label;
  for (let row = 0; row < 32; row++) {
    for (let col = 0; col < 32; col++) {
      const p = row * 32 + col;
      const r = row * 8 + (col >> 2);
      rec[1 + p] = r;
      rec[1 + 1024 + p] = 255 - r;
      rec[1 + 2048 + p] = (k * 40 + col) & 0xff;
    }
  }
  return rec;
}

function writeBatch(dir: string, file: string, records: Uint8Array[]): void {
  const bytes = new Uint8Array(records.length * CIFAR10_RECORD_BYTES);
  records.forEach((r, i) => bytes.set(r, i * CIFAR10_RECORD_BYTES));
  writeFileSync(join(dir, file), bytes);
}

/** A complete little CIFAR-10 folder: `perFile` records in each of the six files. */
function writeSampleDir(dir: string, perFile = 2): void {
  [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].forEach((f, fi) =>
    writeBatch(
      dir,
      f,
      Array.from({ length: perFile }, (_, i) => knownRecord((fi * perFile + i) % 10, fi * perFile + i)),
    ),
  );
}

function expectDataError(fn: () => unknown, file: string, re: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataError);
  expect((err as DataError).message).toContain(file);
  expect((err as DataError).message).toMatch(re);
}

describe('CIFAR-10 binary reader', () => {
  it('puts every pixel at its NHWC position and channel', () => {
    const dir = freshDir();
    writeSampleDir(dir, 2);
    const { train, test } = readCifar10(dir);
    expect([train.n, train.height, train.width, train.channels, train.numClasses]).toEqual([10, 32, 32, 3, 10]);
    expect(test.n).toBe(2);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(test.labels)).toEqual([0, 1]);
    for (const [ds, offset] of [
      [train, 0],
      [test, 10],
    ] as const) {
      for (let i = 0; i < ds.n; i++) {
        const k = offset + i;
        for (const [row, col] of [
          [0, 0],
          [0, 31],
          [31, 0],
          [17, 5],
          [31, 31],
        ] as const) {
          const at = ((i * 32 + row) * 32 + col) * 3;
          const r = row * 8 + (col >> 2);
          expect([ds.images[at], ds.images[at + 1], ds.images[at + 2]]).toEqual([r, 255 - r, (k * 40 + col) & 0xff]);
        }
      }
    }
  });

  it('encode ∘ parse is the identity (any pixels, any labels 0..9)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
        const pixels = Uint8Array.from({ length: n * 3072 }, (_, i) => (Math.imul(i + 1, seed | 1) >>> 7) & 0xff);
        const labels = Uint8Array.from({ length: n }, (_, i) => (seed + i) % 10);
        const back = parseCifarBatch(encodeCifarBatch(pixels, labels), 'mem');
        expect(back.n).toBe(n);
        expect(Buffer.from(back.pixels).equals(Buffer.from(pixels))).toBe(true);
        expect(Array.from(back.labels)).toEqual(Array.from(labels));
      }),
      { numRuns: 20 },
    );
  });

  it('finds the files inside cifar-10-batches-bin/ when given the parent', () => {
    const dir = freshDir();
    const nested = join(dir, 'cifar-10-batches-bin');
    mkdirSync(nested);
    writeSampleDir(nested, 1);
    expect(readCifar10(dir).train.n).toBe(5);
  });

  it('missing directory', () => {
    const d = join(root, 'no-such-dir');
    expectDataError(() => readCifar10(d), d, /directory not found/);
  });

  it('missing file names which', () => {
    const dir = freshDir();
    writeSampleDir(dir, 1);
    rmSync(join(dir, 'data_batch_3.bin'));
    rmSync(join(dir, 'test_batch.bin'));
    expectDataError(() => readCifar10(dir), dir, /missing CIFAR-10 files data_batch_3\.bin, test_batch\.bin/);
  });

  it('size not a multiple of 3073', () => {
    const dir = freshDir();
    writeSampleDir(dir, 1);
    const f = join(dir, 'data_batch_2.bin');
    writeFileSync(f, knownRecord(1, 0).subarray(0, 3000));
    expectDataError(() => readCifar10(dir), f, /size 3000 is not a multiple of the 3073-byte record/);
  });

  it('label > 9', () => {
    const dir = freshDir();
    writeSampleDir(dir, 1);
    const f = join(dir, 'test_batch.bin');
    writeBatch(dir, 'test_batch.bin', [knownRecord(3, 0), knownRecord(10, 1)]);
    expectDataError(() => readCifar10(dir), f, /label 10 in record 1 is out of range/);
  });

  it('empty file', () => {
    const dir = freshDir();
    writeSampleDir(dir, 1);
    const f = join(dir, 'data_batch_5.bin');
    writeFileSync(f, new Uint8Array(0));
    expectDataError(() => readCifar10(dir), f, /is empty/);
  });
});
