/**
 * A process that runs the training phase with the fake worker and prints its log, for the tests
 * that kill it (die-with-parent.test.ts): `tsx phase-parent.ts <cache dir> <claim id>...`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainingPhase } from '../phase';

const [dir, ...claims] = process.argv.slice(2);
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-train-worker.ts');
await trainingPhase({ claims, dir: dir!, worker, log: (l) => console.log(l) });
