import { describe, expect, it } from 'vitest';
import { defaultWorkers, MAIN_MEMORY, WORKER_MEMORY } from './workers';

const GiB = 2 ** 30;

describe('the default worker count', () => {
  it('is one per core while memory holds', () => {
    expect(defaultWorkers({ cores: 2, free: 18 * GiB, limit: 0 })).toEqual({ workers: 2, why: '2 cores, 18.0 GiB free' });
    expect(defaultWorkers({ cores: 16, free: 64 * GiB, limit: 0 }).workers).toBe(16);
  });

  it('is capped by the memory free now, at WORKER_MEMORY each after the main process, never below 1', () => {
    const free = MAIN_MEMORY + 5.5 * WORKER_MEMORY;
    expect(defaultWorkers({ cores: 16, free, limit: 0 })).toEqual({
      workers: 5,
      why: `16 cores, but ${(free / GiB).toFixed(1)} GiB free fits 5 at ${(WORKER_MEMORY / GiB).toFixed(1)} GiB each`,
    });
    expect(defaultWorkers({ cores: 8, free: 0.2 * GiB, limit: 0 }).workers).toBe(1);
  });

  it("is capped by the process's cgroup memory limit when one is set", () => {
    expect(defaultWorkers({ cores: 16, free: 100 * GiB, limit: MAIN_MEMORY + 3 * WORKER_MEMORY })).toMatchObject({
      workers: 3,
      why: expect.stringContaining('GiB memory limit fits 3'),
    });
    // no limit: 0, or the "unlimited" value some cgroups report
    expect(defaultWorkers({ cores: 4, free: 100 * GiB, limit: 2 ** 63 }).workers).toBe(4);
  });
});
