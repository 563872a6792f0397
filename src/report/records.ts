/**
 * reports/claims.json: one record per claim, upserted by id.
 *
 * One process writes it: the claims reporter, in vitest's main process (src/vitest/
 * claims-reporter.ts). A run can be killed at any moment, so every write replaces the file
 * atomically (atomic.ts): a reader sees the old file or the new one, never half of either.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ClaimRecord, ClaimsFile, formatIssues, type ClaimRecordInput } from './schema';
import { removeOrphanTemps, writeFileAtomic } from './atomic';
import { reportsDir } from '../config';

const CLAIMS_FILE = 'claims.json';

/** A missing, unreadable or malformed claims.json; the message names the file and the problem. */
export class RecordsFileError extends Error {
  override name = 'RecordsFileError';
  constructor(
    message: string,
    readonly file: string,
    readonly problem: 'missing' | 'unreadable' | 'json' | 'schema',
  ) {
    super(message);
  }
}

export function claimsPath(dir = reportsDir()): string {
  return path.join(dir, CLAIMS_FILE);
}

/** Parse the text of a claims file; `file` only names it in errors. */
function parseClaimsFile(text: string, file: string): ClaimRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new RecordsFileError(`${file} is not valid JSON: ${(e as Error).message}`, file, 'json');
  }
  const r = ClaimsFile.safeParse(json);
  if (!r.success) {
    throw new RecordsFileError(
      `${file} does not match the claims-file schema ({ version: 1, records: [...] }):\n${formatIssues(r.error)}`,
      file,
      'schema',
    );
  }
  const ids = new Set<string>();
  for (const rec of r.data.records) {
    if (ids.has(rec.id)) throw new RecordsFileError(`${file}: claim "${rec.id}" appears twice`, file, 'schema');
    ids.add(rec.id);
  }
  return r.data.records;
}

/**
 * All records in `<dir>/claims.json`, sorted by id. Throws RecordsFileError naming the file when
 * it is missing (unless allowMissing: then []), not JSON, or not the schema (with the issue path).
 */
export function readRecords(dir = reportsDir(), opts: { allowMissing?: boolean } = {}): ClaimRecord[] {
  const file = claimsPath(dir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (opts.allowMissing) return [];
      throw new RecordsFileError(`${file} does not exist: run the claims first (npx vitest claims)`, file, 'missing');
    }
    throw new RecordsFileError(`${file} could not be read: ${(e as Error).message}`, file, 'unreadable');
  }
  return parseClaimsFile(text, file);
}

/** Validate a record, throwing one readable error naming the claim and the issue paths. */
export function validateRecord(record: ClaimRecordInput): ClaimRecord {
  const r = ClaimRecord.safeParse(record);
  if (!r.success) {
    const id = typeof (record as { id?: unknown })?.id === 'string' ? (record as { id: string }).id : '?';
    throw new Error(`invalid claim record "${id}":\n${formatIssues(r.error)}`);
  }
  return r.data;
}

export function serializeRecords(records: readonly ClaimRecord[]): string {
  const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const file: ClaimsFile = { version: 1, records: sorted };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Validate `record` and upsert it by id into `<dir>/claims.json`, atomically (and remove the temp
 * files of a writer killed mid-write). A claims.json that no longer parses (a schema change, a
 * hand edit) is kept aside as claims.json.corrupt-<time> with a warning rather than blocking
 * every later run.
 */
export function writeRecord(record: ClaimRecordInput, dir = reportsDir()): ClaimRecord {
  const valid = validateRecord(record);
  const file = claimsPath(dir);
  fs.mkdirSync(dir, { recursive: true });
  removeOrphanTemps(file);
  let records: ClaimRecord[] = [];
  try {
    records = readRecords(dir, { allowMissing: true });
  } catch (e) {
    if (!(e instanceof RecordsFileError)) throw e;
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(file, aside);
    console.warn(`[report] ${e.message}\n[report] kept it as ${aside} and started a new ${file}`);
  }
  const next = records.filter((r) => r.id !== valid.id);
  next.push(valid);
  writeFileAtomic(file, serializeRecords(next));
  return valid;
}
