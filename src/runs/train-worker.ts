/**
 * A worker process of the training phase (phase.ts forks it): computes the runs it is sent, one
 * at a time, on the backend BN_BACKEND names, and sends back their results.
 */
import { initBackend } from '../backend';
import { computeRun } from './compute';
import { serveRuns } from './phase';

const backend = initBackend();
serveRuns(async (req) => {
  await backend;
  return computeRun(req);
});
