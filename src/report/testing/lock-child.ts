/**
 * A process that takes a reports folder's lock, for lock.test.ts: `tsx lock-child.ts DIR [hold]`.
 * Prints "locked <pid>" or the error's message (exit 3); with `hold`, keeps the lock until killed
 * (or until stdin closes), else exits at once (releasing it).
 */
import { lockReports } from '../lock';

const [dir, hold] = process.argv.slice(2);
try {
  lockReports(dir!);
  console.log(`locked ${process.pid}`);
} catch (e) {
  console.log((e as Error).message);
  process.exit(3);
}
if (hold === 'hold') setInterval(() => {}, 1000);
