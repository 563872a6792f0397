import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from './dataset';
import {
  encodeIdx,
  encodeIdxImages,
  encodeIdxLabels,
  gzipDeterministic,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  parseIdx,
  readIdxImages,
  readIdxLabels,
  readIdxPair,
  writeIdx,
} from './idx';

const dir = mkdtempSync(join(tmpdir(), 'bn-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tmp = (name: string) => join(dir, `${counter++}-${name}`);

/** A small valid images/labels pair with known bytes. */
function sample(n = 5, h = 3, w = 4) {
  const pixels = Uint8Array.from({ length: n * h * w }, (_, i) => (i * 37 + 11) % 256);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  return { n, h, w, pixels, labels };
}

/** Expect `fn` to throw a DataError naming `file` whose message matches `re`. */
function expectDataError(fn: () => unknown, file: string, re: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(DataError);
  expect((err as DataError).file).toBe(file);
  expect((err as DataError).message).toContain(file);
  expect((err as DataError).message).toMatch(re);
}

describe('IDX round trip', () => {
  it('writer → reader gives back the same pixels and labels, gzipped or plain', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        fc.integer(),
        (n, h, w, gzip, salt) => {
          const pixels = Uint8Array.from({ length: n * h * w }, (_, i) => (i * 31 + salt) & 0xff);
          const labels = Uint8Array.from({ length: n }, (_, i) => Math.abs(i + salt) % 10);
          const fi = tmp('img');
          const fl = tmp('lab');
          writeIdx(fi, encodeIdxImages(pixels, n, h, w), { gzip });
          writeIdx(fl, encodeIdxLabels(labels), { gzip });
          const got = readIdxPair(fi, fl);
          expect([got.n, got.height, got.width]).toEqual([n, h, w]);
          expect(Array.from(got.pixels)).toEqual(Array.from(pixels));
          expect(Array.from(got.labels)).toEqual(Array.from(labels));
          // gzip is detected by content, not by name
          expect(readFileSync(fi)[0] === 0x1f).toBe(gzip);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('writes the header big-endian with the standard magics', () => {
    const b = encodeIdxImages(new Uint8Array(2 * 28 * 28), 2, 28, 28);
    expect(Array.from(b.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]);
    const l = encodeIdxLabels(Uint8Array.of(7, 9, 0));
    expect(Array.from(l)).toEqual([0, 0, 8, 1, 0, 0, 0, 3, 7, 9, 0]);
  });

  it('gzip output is byte-identical across calls (no timestamp)', () => {
    const bytes = encodeIdxImages(sample().pixels, 5, 3, 4);
    const a = gzipDeterministic(bytes);
    const b = gzipDeterministic(bytes);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    expect(Array.from(a.subarray(4, 8))).toEqual([0, 0, 0, 0]); // MTIME field
  });

  it('returns plain Uint8Arrays (not Buffers, whose slice shares memory)', () => {
    const s = sample();
    const f = tmp('img');
    writeIdx(f, encodeIdxImages(s.pixels, s.n, s.h, s.w));
    expect(readIdxImages(f).pixels.constructor).toBe(Uint8Array);
  });
});

describe('IDX errors name the file and the problem', () => {
  const s = sample();

  it('missing file', () => {
    const f = join(dir, 'nope', 'train-images-idx3-ubyte.gz');
    expectDataError(() => readIdxImages(f), f, /not found/);
  });

  it('a directory where a file should be', () => {
    const d = join(dir, 'a-dir');
    mkdirSync(d);
    expectDataError(() => readIdxLabels(d), d, /not a regular file/);
  });

  it('wrong magic: labels given as images, and random bytes', () => {
    const f = tmp('labels-as-images');
    writeIdx(f, encodeIdxLabels(s.labels));
    expectDataError(() => readIdxImages(f), f, /wrong magic 0x00000801, expected 0x00000803.*labels file/);
    const g = tmp('junk');
    writeFileSync(g, Uint8Array.of(0x50, 0x4b, 3, 4, 1, 2, 3, 4));
    expectDataError(() => readIdxLabels(g), g, /wrong magic 0x504b0304/);
  });

  it('truncated data, header, and gzip stream', () => {
    const full = encodeIdxImages(s.pixels, s.n, s.h, s.w);
    const f = tmp('short');
    writeIdx(f, full.subarray(0, full.length - 1));
    expectDataError(() => readIdxImages(f), f, /truncated: 59 bytes of data, the header's dims 5x3x4 need 60/);
    const g = tmp('short-header');
    writeIdx(g, full.subarray(0, 10), { gzip: false });
    expectDataError(() => readIdxImages(g), g, /truncated: 10 bytes, the header of 3 dims needs 16/);
    const h = tmp('tiny');
    writeFileSync(h, Uint8Array.of(0, 0));
    expectDataError(() => readIdxImages(h), h, /truncated/);
    const z = gzipSync(full);
    const k = tmp('cut.gz');
    writeFileSync(k, z.subarray(0, z.length - 12));
    expectDataError(() => readIdxImages(k), k, /gzip stream is corrupt or truncated/);
  });

  it('trailing garbage', () => {
    const full = encodeIdxLabels(s.labels);
    const f = tmp('long');
    writeIdx(f, Uint8Array.from([...full, 1, 2, 3]));
    expectDataError(() => readIdxLabels(f), f, /wrong size: 3 trailing bytes/);
  });

  it('image and label counts that differ', () => {
    const fi = tmp('img');
    const fl = tmp('lab');
    writeIdx(fi, encodeIdxImages(s.pixels, s.n, s.h, s.w));
    writeIdx(fl, encodeIdxLabels(s.labels.subarray(0, 4)));
    expectDataError(() => readIdxPair(fi, fl), fl, /has 4 labels but .* has 5 images/);
  });

  it('label out of range (>= 10)', () => {
    const fi = tmp('img');
    const fl = tmp('lab');
    writeIdx(fi, encodeIdxImages(s.pixels, s.n, s.h, s.w));
    writeIdx(fl, encodeIdxLabels(Uint8Array.of(0, 1, 10, 3, 4)));
    expectDataError(() => readIdxPair(fi, fl), fl, /label 10 at index 2 is out of range \[0, 10\)/);
  });

  it('empty files (zero images) are rejected, not loaded as an empty set', () => {
    const f = tmp('empty');
    writeIdx(f, encodeIdx(IDX_IMAGES_MAGIC, [0, 28, 28], new Uint8Array(0)));
    expectDataError(() => readIdxImages(f), f, /no images/);
    const g = tmp('empty-labels');
    writeIdx(g, encodeIdx(IDX_LABELS_MAGIC, [0], new Uint8Array(0)));
    expectDataError(() => readIdxLabels(g), g, /no labels/);
  });

  it('parseIdx checks any magic it is asked for', () => {
    expect(() => parseIdx(encodeIdxLabels(s.labels), 'mem', IDX_IMAGES_MAGIC)).toThrow(DataError);
    expect(parseIdx(encodeIdxLabels(s.labels), 'mem', IDX_LABELS_MAGIC).dims).toEqual([5]);
  });
});
