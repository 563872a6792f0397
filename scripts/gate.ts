/** `npm run gate`: see gate.ts for the options and exit codes. */
import { runGate } from '../src/report/gate';

const { code, output } = runGate(process.argv.slice(2));
(code === 0 ? process.stdout : process.stderr).write(`${output}\n`);
process.exitCode = code;
