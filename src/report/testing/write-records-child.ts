/**
 * A claim worker stand-in for records.test.ts: writes records into DIR as fast as it can.
 *   node --import tsx write-records-child.ts DIR TAG COUNT     COUNT records TAG-0 … TAG-(COUNT-1)
 *   node --import tsx write-records-child.ts DIR TAG forever   loops over TAG-0 … TAG-39 until killed
 *   node --import tsx write-records-child.ts DIR TAG hold      takes the lock and hangs
 * Prints one line per record written, "<i> <time ms>" (and "locked" in hold mode). With GO_FILE
 * set, prints "ready" and waits for that file to exist before writing, so that several children
 * start writing at the same moment.
 */
import fs from 'node:fs';
import { writeRecord, claimsPath } from '../records';
import { withFileLock } from '../atomic';
import { fakeRecord } from './fake-records';

const [dir, tag, mode] = process.argv.slice(2);
if (!dir || !tag || !mode) throw new Error('usage: write-records-child.ts DIR TAG COUNT|forever|hold');

const go = process.env.GO_FILE;
if (go) {
  process.stdout.write('ready\n');
  while (!fs.existsSync(go)) await new Promise((r) => setTimeout(r, 2));
}

if (mode === 'hold') {
  await withFileLock(`${claimsPath(dir)}.lock`, async () => {
    process.stdout.write('locked\n');
    await new Promise(() => setInterval(() => {}, 1000)); // hang, keeping the event loop alive
  });
} else {
  const count = mode === 'forever' ? Infinity : Number(mode);
  // A long note makes each write take a while, so a kill lands mid-write often.
  const note = 'x'.repeat(mode === 'forever' ? 20_000 : 10);
  for (let i = 0; i < count; i++) {
    const id = `${tag}-${mode === 'forever' ? i % 40 : i}`;
    await writeRecord(fakeRecord(id, { durationMs: i, statistics: [{ name: 'i', value: i, note }] }), dir);
    process.stdout.write(`${i} ${Date.now()}\n`);
  }
}
