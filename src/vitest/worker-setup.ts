/**
 * vitest setupFiles of the `claims` project: runs in each worker before a claim file, and hands
 * the suite run that the globalSetup started (claims-global-setup.ts) to the training-run cache
 * (src/runs/cache.ts), so that library code never asks vitest for it.
 */
import { inject } from 'vitest';
import { setSuiteRunId } from '../runs/cache';

declare module 'vitest' {
  export interface ProvidedContext {
    /** id of this `vitest` invocation of the claims (see startSuiteRun in src/runs/cache.ts) */
    suiteRunId: string;
  }
}

setSuiteRunId(inject('suiteRunId'));
