/**
 * A setup file of the claims project (vitest.config.ts): the worker processes that run claim
 * files die with vitest's main process, also when it is SIGKILLed in the middle of a claim whose
 * loop keeps 'disconnect' from being delivered (src/runs/die-with-parent.ts).
 */
import { dieWithParent } from '../runs/die-with-parent';

dieWithParent();
