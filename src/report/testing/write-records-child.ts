/**
 * A records writer for interrupted-runs.test.ts, to be killed part-way: writes records into DIR
 * as fast as it can.
 *   node --import tsx write-records-child.ts DIR TAG forever   loops over TAG-0 … TAG-39 until killed
 * Prints one line per record written, "<i> <time ms>".
 */
import { writeRecord } from '../records';
import { fakeRecord } from './fake-records';

const [dir, tag] = process.argv.slice(2);
if (!dir || !tag) throw new Error('usage: write-records-child.ts DIR TAG forever');

// A long note makes each write take a while, so a kill lands mid-write often.
const note = 'x'.repeat(20_000);
for (let i = 0; ; i++) {
  writeRecord(fakeRecord(`${tag}-${i % 40}`, { durationMs: i, statistics: [{ name: 'i', value: i, note }] }), dir);
  process.stdout.write(`${i} ${Date.now()}\n`);
}
