/**
 * The IDX format of (Fashion-)MNIST, read and written.
 *
 * An IDX file is a 4-byte magic (0, 0, type code, number of dims), then each dim as a big-endian
 * uint32, then the data row-major. Fashion-MNIST uses type 0x08 (unsigned byte): images have
 * magic 0x00000803 (n, rows, cols), labels 0x00000801 (n). Files are usually gzipped; we detect
 * gzip by its magic bytes (1f 8b) rather than by the file name, so a mis-named file still loads.
 *
 * Every check a corrupt download can fail gives a DataError naming the file: a truncated file
 * must never load as a smaller dataset.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DataError } from './dataset';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

const hex = (m: number) => `0x${m.toString(16).padStart(8, '0')}`;

/** Read a file's bytes, gunzipping when it starts with the gzip magic. */
function readMaybeGzip(file: string): Uint8Array {
  if (!existsSync(file)) throw new DataError(file, 'file not found');
  if (!statSync(file).isFile()) throw new DataError(file, 'is not a regular file');
  const bytes = readFileSync(file);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes);
    } catch (e) {
      throw new DataError(file, `gzip stream is corrupt or truncated (${(e as Error).message})`);
    }
  }
  return bytes;
}

/** A parsed IDX file of unsigned bytes. */
export interface IdxArray {
  magic: number;
  dims: number[];
  data: Uint8Array;
}

/**
 * Parse IDX bytes, checking the magic against `expectedMagic` and the size against the dims.
 * `file` is only used in error messages.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic: number): IdxArray {
  const what = expectedMagic === IDX_IMAGES_MAGIC ? 'IDX images' : expectedMagic === IDX_LABELS_MAGIC ? 'IDX labels' : 'IDX';
  if (bytes.length < 4) throw new DataError(file, `truncated: ${bytes.length} bytes, too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    const hint =
      magic === IDX_LABELS_MAGIC ? ' (this is an IDX labels file)' : magic === IDX_IMAGES_MAGIC ? ' (this is an IDX images file)' : '';
    throw new DataError(file, `wrong magic ${hex(magic)}, expected ${hex(expectedMagic)} for ${what}${hint}`);
  }
  const ndim = bytes[3]!;
  const header = 4 + 4 * ndim;
  if (bytes.length < header) throw new DataError(file, `truncated: ${bytes.length} bytes, the header of ${ndim} dims needs ${header}`);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const need = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - header;
  if (have < need) throw new DataError(file, `truncated: ${have} bytes of data, the header's dims ${dims.join('x')} need ${need}`);
  if (have > need)
    throw new DataError(file, `wrong size: ${have - need} trailing bytes after the ${need} bytes that the dims ${dims.join('x')} describe`);
  // A plain Uint8Array view, not a Buffer: Buffer.slice shares memory where Uint8Array.slice copies.
  return { magic, dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + header, need) };
}

/** Images as bytes, NHW (one channel). */
export interface IdxImages {
  n: number;
  height: number;
  width: number;
  pixels: Uint8Array;
}

export function readIdxImages(file: string): IdxImages {
  const { dims, data } = parseIdx(readMaybeGzip(file), file, IDX_IMAGES_MAGIC);
  const [n, height, width] = dims;
  if (n === undefined || height === undefined || width === undefined)
    throw new DataError(file, `has ${dims.length} dims, expected 3 (images, rows, columns)`);
  if (n === 0) throw new DataError(file, 'contains no images');
  if (height === 0 || width === 0) throw new DataError(file, `empty image shape ${height}x${width}`);
  return { n, height, width, pixels: data };
}

export function readIdxLabels(file: string): Uint8Array {
  const { dims, data } = parseIdx(readMaybeGzip(file), file, IDX_LABELS_MAGIC);
  if (dims[0] === 0) throw new DataError(file, 'contains no labels');
  return data;
}

/**
 * An images file and its labels file, checked against each other: same count, labels in
 * [0, numClasses).
 */
export function readIdxPair(imagesFile: string, labelsFile: string, numClasses = 10): IdxImages & { labels: Uint8Array } {
  const images = readIdxImages(imagesFile);
  const labels = readIdxLabels(labelsFile);
  if (labels.length !== images.n) {
    throw new DataError(labelsFile, `has ${labels.length} labels but ${imagesFile} has ${images.n} images`);
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]! >= numClasses) throw new DataError(labelsFile, `label ${labels[i]} at index ${i} is out of range [0, ${numClasses})`);
  }
  return { ...images, labels };
}

// ---------------------------------------------------------------------------------------------
// Writing (the fixture script and the tests)

/** IDX bytes (not gzipped) for unsigned-byte data of the given dims. */
export function encodeIdx(magic: number, dims: number[], data: Uint8Array): Uint8Array {
  const need = dims.reduce((a, b) => a * b, 1);
  if (data.length !== need) throw new RangeError(`encodeIdx: ${data.length} bytes of data for dims ${dims.join('x')} (need ${need})`);
  if ((magic & 0xff) !== dims.length) throw new RangeError(`encodeIdx: magic ${hex(magic)} says ${magic & 0xff} dims, got ${dims.length}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}

export function encodeIdxImages(pixels: Uint8Array, n: number, height: number, width: number): Uint8Array {
  return encodeIdx(IDX_IMAGES_MAGIC, [n, height, width], pixels);
}

export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  return encodeIdx(IDX_LABELS_MAGIC, [labels.length], labels);
}

/**
 * Gzip with a fixed level. Node's gzip header carries no file name and a zero timestamp, so the
 * same bytes in give the same bytes out (for a given zlib build): fixtures are reproducible.
 */
export function gzipDeterministic(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 9, memLevel: 9, strategy: 0 });
}

/** Write IDX bytes to `file`, gzipped unless `gzip: false`. */
export function writeIdx(file: string, idxBytes: Uint8Array, opts: { gzip?: boolean } = {}): void {
  writeFileSync(file, opts.gzip === false ? idxBytes : gzipDeterministic(idxBytes));
}
