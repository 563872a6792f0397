/**
 * Bad input ends in one readable line naming the problem, end to end: the BN_* value as the
 * environment gives it → parseConfig → loadData. The readers' own tests (src/data/*.test.ts)
 * cover each parser; here every fault goes through the path a claim takes, and the message must
 * be a single line that names the file or directory at fault, so a test runner's first line is
 * enough to fix it. config.test.ts covers most BN_* values; the gaps are filled here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, reportsDir } from '../config';
import { CIFAR10_RECORD_BYTES, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES, encodeCifarBatch } from '../data/cifar10';
import { DataError } from '../data/dataset';
import { FASHION_MNIST_FILES } from '../data/fashion-mnist';
import { encodeIdxImages, encodeIdxLabels, IDX_LABELS_MAGIC, encodeIdx, writeIdx } from '../data/idx';
import { loadData } from '../data/load';

const root = mkdtempSync(join(tmpdir(), 'bn-bad-input-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const fresh = (name: string) => {
  const d = join(root, `${counter++}-${name}`);
  mkdirSync(d, { recursive: true });
  return d;
};

/** What the claims do with BN_DATA: parse the environment, then load. */
const loadFromEnv = (BN_DATA: string) => loadData(parseConfig({ BN_DATA }).data, { trainLimit: 10, testLimit: 10 });

/** The error fn throws: of class `cls`, one line, naming `where`, matching `problem`. */
function expectOneLine(fn: () => unknown, cls: typeof DataError | typeof ConfigError, where: string, problem: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  expect(msg).toContain(where);
  expect(msg).toMatch(problem);
  if (err instanceof DataError) expect(msg.startsWith(`${err.file}: `)).toBe(true);
}

// --- Fashion-MNIST: a tiny valid folder, then one fault at a time ---------------------------

const F = FASHION_MNIST_FILES;
const N = 20;
const pixels = (n = N, side = 28) => Uint8Array.from({ length: n * side * side }, (_, i) => (i * 7) % 256);
const labels = (n = N) => Uint8Array.from({ length: n }, (_, i) => i % 10);

/** The file's name on disk: the original .gz name, or the plain one. */
const named = (gzName: string, gzip: boolean) => (gzip ? gzName : gzName.replace(/\.gz$/, ''));

/** A valid folder of the four files, gzipped or plain. */
function fashionDir(name: string, gzip = true): string {
  const dir = fresh(name);
  for (const [img, lab] of [
    [F.trainImages, F.trainLabels],
    [F.testImages, F.testLabels],
  ] as const) {
    writeIdx(join(dir, named(img, gzip)), encodeIdxImages(pixels(), N, 28, 28), { gzip });
    writeIdx(join(dir, named(lab, gzip)), encodeIdxLabels(labels()), { gzip });
  }
  return dir;
}

describe('BN_DATA=fashion-mnist:DIR, end to end', () => {
  it('a valid folder loads (the fixture the faults below start from)', () => {
    const s = loadFromEnv(`fashion-mnist:${fashionDir('ok')}`);
    expect([s.train.n, s.test.n, s.train.height]).toEqual([10, 10, 28]);
  });

  it('missing folder, a file given as the folder, an empty folder', () => {
    const missing = join(root, 'does-not-exist');
    expectOneLine(() => loadFromEnv(`fashion-mnist:${missing}`), DataError, missing, /Fashion-MNIST directory not found$/);
    const file = join(fresh('file'), 'a-file');
    writeFileSync(file, 'x');
    expectOneLine(() => loadFromEnv(`fashion-mnist:${file}`), DataError, file, /is not a directory/);
    const empty = fresh('empty');
    expectOneLine(
      () => loadFromEnv(`fashion-mnist:${empty}`),
      DataError,
      empty,
      /missing Fashion-MNIST file: none of train-images-idx3-ubyte\.gz, train-images-idx3-ubyte, train-images\.idx3-ubyte exists/,
    );
  });

  it('truncated files: a cut gzip stream, cut plain data, a cut header, a zero-byte file', () => {
    const gz = fashionDir('trunc-gz');
    const f = join(gz, F.trainImages);
    const bytes = readFileSync(f);
    writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expectOneLine(() => loadFromEnv(`fashion-mnist:${gz}`), DataError, f, /gzip stream is corrupt or truncated/);

    const plain = fashionDir('trunc-plain', false);
    const p = join(plain, named(F.testImages, false));
    writeFileSync(p, readFileSync(p).subarray(0, 16 + 5 * 784));
    expectOneLine(
      () => loadFromEnv(`fashion-mnist:${plain}`),
      DataError,
      p,
      /truncated: 3920 bytes of data, the header's dims 20x28x28 need 15680/,
    );

    const header = fashionDir('trunc-header', false);
    const h = join(header, named(F.trainLabels, false));
    writeFileSync(h, readFileSync(h).subarray(0, 6));
    expectOneLine(() => loadFromEnv(`fashion-mnist:${header}`), DataError, h, /truncated: 6 bytes, the header of 1 dims needs 8/);

    const zero = fashionDir('zero-bytes', false);
    const z = join(zero, named(F.trainImages, false));
    writeFileSync(z, '');
    expectOneLine(() => loadFromEnv(`fashion-mnist:${zero}`), DataError, z, /truncated: 0 bytes, too short for an IDX header/);
  });

  it('wrong magic: a labels file under the images name, and a CIFAR batch renamed', () => {
    const swapped = fashionDir('magic');
    const img = join(swapped, F.trainImages);
    writeIdx(img, encodeIdxLabels(labels()), { gzip: true });
    expectOneLine(() => loadFromEnv(`fashion-mnist:${swapped}`), DataError, img, /wrong magic 0x00000801, expected 0x00000803/);
    const cifar = fashionDir('magic-cifar', false);
    const c = join(cifar, named(F.testImages, false));
    writeFileSync(c, encodeCifarBatch(new Uint8Array(3072), new Uint8Array(1)));
    expectOneLine(() => loadFromEnv(`fashion-mnist:${cifar}`), DataError, c, /wrong magic/);
  });

  it('wrong sizes: trailing bytes, counts that disagree, zero images, train and test shapes that differ', () => {
    const trailing = fashionDir('trailing', false);
    const t = join(trailing, named(F.trainLabels, false));
    writeFileSync(t, Buffer.concat([readFileSync(t), Buffer.from([1, 2, 3])]));
    expectOneLine(() => loadFromEnv(`fashion-mnist:${trailing}`), DataError, t, /wrong size: 3 trailing bytes/);

    const counts = fashionDir('counts');
    const l = join(counts, F.testLabels);
    writeIdx(l, encodeIdxLabels(labels(N - 1)), { gzip: true });
    expectOneLine(
      () => loadFromEnv(`fashion-mnist:${counts}`),
      DataError,
      l,
      /has 19 labels but .*t10k-images-idx3-ubyte\.gz has 20 images/,
    );

    const none = fashionDir('no-images');
    const e = join(none, F.trainImages);
    writeIdx(e, encodeIdxImages(new Uint8Array(0), 0, 28, 28), { gzip: true });
    expectOneLine(() => loadFromEnv(`fashion-mnist:${none}`), DataError, e, /contains no images/);

    const shapes = fashionDir('shapes');
    writeIdx(join(shapes, F.testImages), encodeIdxImages(pixels(N, 14), N, 14, 14), { gzip: true });
    expectOneLine(() => loadFromEnv(`fashion-mnist:${shapes}`), DataError, shapes, /train images are 28x28 but test images are 14x14/);
  });

  it('labels out of range: 10 and 255 with 10 classes', () => {
    for (const bad of [10, 255]) {
      const dir = fashionDir(`label-${bad}`);
      const l = join(dir, F.testLabels);
      const ls = labels();
      ls[7] = bad;
      writeIdx(l, encodeIdxLabels(ls), { gzip: true });
      expectOneLine(
        () => loadFromEnv(`fashion-mnist:${dir}`),
        DataError,
        l,
        new RegExp(`label ${bad} at index 7 is out of range \\[0, 10\\)`),
      );
    }
  });

  it('a labels file whose header claims 2 dims is a wrong-magic error, not a silent reshape', () => {
    const dir = fashionDir('labels-2d', false);
    const l = join(dir, named(F.trainLabels, false));
    writeFileSync(l, encodeIdx(IDX_LABELS_MAGIC + 1, [N, 1], labels()));
    expectOneLine(() => loadFromEnv(`fashion-mnist:${dir}`), DataError, l, /wrong magic 0x00000802, expected 0x00000801/);
  });
});

// --- CIFAR-10 binary ----------------------------------------------------------------------

const PER_FILE = 2;
function cifarDir(name: string): string {
  const dir = fresh(name);
  [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].forEach((f, fi) => {
    const px = Uint8Array.from({ length: PER_FILE * 3072 }, (_, i) => (i + fi) % 256);
    writeFileSync(
      join(dir, f),
      encodeCifarBatch(
        px,
        Uint8Array.from({ length: PER_FILE }, (_, i) => (fi + i) % 10),
      ),
    );
  });
  return dir;
}

describe('BN_DATA=cifar10:DIR, end to end', () => {
  it('a valid folder loads', () => {
    const s = loadFromEnv(`cifar10:${cifarDir('ok')}`);
    expect([s.train.n, s.test.n, s.train.channels]).toEqual([10, 2, 3]);
  });

  it('missing folder, a file given as the folder, an empty folder, one file missing', () => {
    const missing = join(root, 'no-cifar-here');
    expectOneLine(() => loadFromEnv(`cifar10:${missing}`), DataError, missing, /CIFAR-10 directory not found$/);
    const file = join(fresh('cfile'), 'x.bin');
    writeFileSync(file, 'x');
    expectOneLine(() => loadFromEnv(`cifar10:${file}`), DataError, file, /is not a directory/);
    const empty = fresh('cempty');
    expectOneLine(() => loadFromEnv(`cifar10:${empty}`), DataError, empty, /missing CIFAR-10 files data_batch_1\.bin, .*test_batch\.bin/);
    const one = cifarDir('one-missing');
    rmSync(join(one, 'data_batch_4.bin'));
    expectOneLine(() => loadFromEnv(`cifar10:${one}`), DataError, one, /missing CIFAR-10 file data_batch_4\.bin \(/);
  });

  it('truncated, empty, and wrong-size files; a folder where a file should be', () => {
    const cut = cifarDir('cut');
    const f = join(cut, 'data_batch_3.bin');
    writeFileSync(f, readFileSync(f).subarray(0, CIFAR10_RECORD_BYTES + 100));
    expectOneLine(() => loadFromEnv(`cifar10:${cut}`), DataError, f, /size 3173 is not a multiple of the 3073-byte record/);
    const empty = cifarDir('empty-file');
    const e = join(empty, CIFAR10_TEST_FILE);
    writeFileSync(e, '');
    expectOneLine(() => loadFromEnv(`cifar10:${empty}`), DataError, e, /is empty$/);
    const py = cifarDir('python-version');
    const p = join(py, 'data_batch_1.bin');
    writeFileSync(p, Buffer.alloc(1000, 0x80)); // e.g. the pickled "python version" by mistake
    expectOneLine(() => loadFromEnv(`cifar10:${py}`), DataError, p, /not the binary version of CIFAR-10/);
    const dirAsFile = cifarDir('dir-as-file');
    const d = join(dirAsFile, 'data_batch_2.bin');
    rmSync(d);
    mkdirSync(d);
    expectOneLine(() => loadFromEnv(`cifar10:${dirAsFile}`), DataError, d, /is not a regular file/);
  });

  it('a label out of range names the file and the record', () => {
    const dir = cifarDir('label');
    const f = join(dir, 'data_batch_5.bin');
    const bytes = readFileSync(f);
    bytes[CIFAR10_RECORD_BYTES] = 10; // record 1's label
    writeFileSync(f, bytes);
    expectOneLine(() => loadFromEnv(`cifar10:${dir}`), DataError, f, /label 10 in record 1 is out of range \[0, 10\)/);
  });
});

// --- BN_* values config.test.ts does not cover ---------------------------------------------

describe('environment values not covered by config.test.ts', () => {
  it.each([
    [{ BN_SEED: 'abc' }, 'BN_SEED', /BN_SEED="abc" is not valid: expected a non-negative integer/],
    [{ BN_SEED: '0x10' }, 'BN_SEED', /BN_SEED="0x10" is not valid: expected a non-negative integer/],
    [{ BN_SEED: '1e3' }, 'BN_SEED', /BN_SEED="1e3" is not valid/],
    [
      { BN_DATA: 'synthetic:/tmp/x' },
      'BN_DATA',
      /BN_DATA="synthetic:\/tmp\/x" is not valid: expected fashion-mnist \| fashion-mnist:DIR \| cifar10:DIR \| synthetic/,
    ],
    [{ BN_DATA: 'cifar10:' }, 'BN_DATA', /BN_DATA="cifar10:" is not valid: cifar10 needs a directory/],
    [{ BN_DATA: 'CIFAR10:/data' }, 'BN_DATA', /BN_DATA="CIFAR10:\/data" is not valid/],
    [{ BN_PROFILE: 'SMOKE' }, 'BN_PROFILE', /BN_PROFILE="SMOKE" is not valid: expected one of smoke \| full \| paper/],
    [{ BN_BACKEND: 'webgl' }, 'BN_BACKEND', /BN_BACKEND="webgl" is not valid: expected one of auto \| tensorflow \| webgpu \| wasm \| cpu/],
    [{ BN_FAULT: 'bn-no-normalize' }, 'BN_FAULT', /BN_FAULT="bn-no-normalize" is not valid: expected one of none \| bn-no-normalise/],
    [{ BN_SEEDS: '0' }, 'BN_SEEDS', /BN_SEEDS="0" is not valid: expected a positive integer \(1\.\.99\)/],
    [{ BN_SEEDS: '-2' }, 'BN_SEEDS', /BN_SEEDS="-2" is not valid: expected a positive integer/],
    [{ BN_SEEDS: 'three' }, 'BN_SEEDS', /BN_SEEDS="three" is not valid: expected a positive integer/],
    [{ BN_SEEDS: '100' }, 'BN_SEEDS', /BN_SEEDS="100" is not valid: expected at most 99: the sweep's seeds start at BN_SEED \+ 100/],
    [{ BN_WORKERS: '0' }, 'BN_WORKERS', /BN_WORKERS="0" is not valid: expected a positive integer \(1\.\.9999\)/],
    [{ BN_WORKERS: 'all' }, 'BN_WORKERS', /BN_WORKERS="all" is not valid: expected a positive integer/],
    [{ BN_WORKERS: '2.5' }, 'BN_WORKERS', /BN_WORKERS="2\.5" is not valid: expected a positive integer/],
  ])('%o is one ConfigError line naming the variable and what is allowed', (env, name, message) => {
    expectOneLine(() => parseConfig(env), ConfigError, name, message);
  });

  it('every bad variable at once is still one line, each named', () => {
    const env = { BN_PROFILE: 'x', BN_BACKEND: 'y', BN_SEED: 'z', BN_FAULT: 'w', BN_SEEDS: 'v' };
    expectOneLine(
      () => parseConfig(env),
      ConfigError,
      'BN_PROFILE',
      /^BN_PROFILE="x" is not valid: .*; BN_BACKEND="y" is not valid: .*; BN_FAULT="w" is not valid: .*; BN_SEED="z" is not valid: .*; BN_SEEDS="v" is not valid: /,
    );
    const msg = (() => {
      try {
        parseConfig(env);
      } catch (e) {
        return (e as Error).message;
      }
    })()!;
    expect(msg).not.toMatch(/ZodError|invalid_value|"code"|\[\{/); // no zod internals
  });

  it("BN_SEEDS overrides the profile's seed count only when set", () => {
    expect(parseConfig({ BN_SEEDS: '2' }).seeds).toBe(2);
    expect('seeds' in parseConfig({})).toBe(false);
  });

  it('BN_WORKERS sets the worker count only when set', () => {
    expect(parseConfig({ BN_WORKERS: ' 16 ' }).workers).toBe(16);
    expect('workers' in parseConfig({})).toBe(false);
  });

  it('surrounding whitespace is trimmed and an empty value means the default', () => {
    expect(parseConfig({ BN_PROFILE: ' paper ', BN_SEED: '\t7\n', BN_BACKEND: '' })).toMatchObject({
      profile: 'paper',
      seed: 7,
      backend: 'auto',
    });
  });

  it('BN_REPORTS_DIR: unset or blank is reports/, anything else is used as given', () => {
    expect(reportsDir({})).toBe('reports');
    expect(reportsDir({ BN_REPORTS_DIR: '  ' })).toBe('reports');
    expect(reportsDir({ BN_REPORTS_DIR: '/tmp/r ' })).toBe('/tmp/r');
  });
});
