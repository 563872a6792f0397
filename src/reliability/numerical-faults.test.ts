/**
 * Numerical faults are results, not crashes. A loss that becomes NaN or ±Infinity ends training
 * with `diverged` (reason 'non-finite', at the step it happened), leaves the weights as they were
 * before the bad step, and leaks nothing; a probe that meets a non-finite value counts or records
 * it; a claim statistic that is not finite is written as null with a note, and claims.json stays
 * valid JSON (which has no NaN or Infinity) that the gate can read.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import type { Dataset } from '../data/dataset';
import { loadData } from '../data/load';
import { buildMlp, buildResNet } from '../nets';
import { activationMoments } from '../probes/moments';
import { stepSizeScan } from '../probes/step-scan';
import { ClaimContext } from '../vitest/harness';
import { readRecords, writeRecord } from '../report/records';
import { verdictOf } from '../report/schema';
import { runGate } from '../report/gate';
import { constant, Sgd, train, trainStep } from '../train';
import { setEnv } from '../config';

beforeAll(async () => {
  setEnv({ BN_QUIET: '1' });
  await initBackend('wasm');
});

const synthetic = (n: number) =>
  loadData({ kind: 'synthetic' }, { trainLimit: n, testLimit: 64, seed: 0, synthetic: { height: 8, width: 8, channels: 1 } });

/** A copy of a dataset with one pixel of example `at` set to `value`. */
function poisoned(ds: Dataset, at: number, value: number): Dataset {
  const images = ds.images.slice();
  images[at * ds.height * ds.width * ds.channels + 5] = value;
  return { ...ds, images };
}

const paramValues = (net: ReturnType<typeof buildMlp>) => [...net.params.values()].map((v) => v.dataSync().slice());

describe('training: a non-finite loss is a divergence at that step', () => {
  it('NaN in the inputs: diverged at step 1, reason non-finite, weights untouched, nothing leaked', async () => {
    const data = synthetic(64);
    // batches are shuffled: poison every example so the first batch surely holds a NaN
    const images = data.train.images.map((v, i) => (i % 64 === 3 ? NaN : v));
    const net = buildMlp({ depth: 3, width: 16, inputs: 64, bn: 'none', seed: 0 });
    const before = paramValues(net);
    const tensors = tf.memory().numTensors;
    const r = await train(
      net,
      { train: { ...data.train, images }, test: data.test },
      { epochs: 2, batchSize: 16, schedule: constant(0.1), seed: 0, progress: false },
    );
    expect(r.diverged).toEqual({ step: 1, loss: NaN, reason: 'non-finite' });
    expect(r.steps).toBe(1);
    expect(r.losses).toEqual([NaN]);
    expect(r.final.testAcc).toBeNull();
    expect(paramValues(net)).toEqual(before); // the NaN step was not applied
    expect(tf.memory().numTensors).toBe(tensors);
    net.dispose();
  });

  it('one NaN pixel in one example makes the batch loss NaN; the step is skipped (with and without BN)', async () => {
    const data = synthetic(32);
    for (const bn of ['none', 'all'] as const) {
      const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn, seed: 1 });
      const opt = new Sgd(net.params, net.decayed, { momentum: 0.9, weightDecay: 5e-4 });
      const bad = poisoned(data.train, 0, NaN);
      const x = tf.tensor4d(bad.images.subarray(0, 8 * 64), [8, 8, 8, 1]);
      const y = tf.tensor1d(Int32Array.from(bad.labels.subarray(0, 8)), 'int32');
      const before = [...net.params.values()].map((v) => v.dataSync().slice());
      const { loss } = await trainStep(net, opt, x, y, 0.1);
      expect(Number.isNaN(loss), bn).toBe(true);
      expect(
        [...net.params.values()].map((v) => v.dataSync().slice()),
        bn,
      ).toEqual(before);
      x.dispose();
      y.dispose();
      opt.dispose();
      net.dispose();
    }
  });

  it('a learning rate of Infinity: the first step is finite, the second is not: diverged at step 2', async () => {
    const data = synthetic(128);
    const net = buildMlp({ depth: 3, width: 16, inputs: 64, bn: 'none', seed: 0 });
    const tensors = tf.memory().numTensors;
    const r = await train(net, data, { epochs: 3, batchSize: 16, schedule: constant(Infinity), seed: 0, progress: false });
    expect(Number.isFinite(r.firstLoss)).toBe(true);
    expect(r.diverged).toMatchObject({ step: 2, reason: 'non-finite' });
    expect(Number.isFinite(r.diverged!.loss)).toBe(false);
    expect(r.steps).toBe(2);
    expect(r.final.testLoss).toBeNull();
    expect(tf.memory().numTensors).toBe(tensors);
    net.dispose();
  });
});

describe('probes record non-finite values instead of throwing', () => {
  it('activationMoments counts non-finite channel moments; a clean input counts none', async () => {
    const data = synthetic(16);
    const net = buildResNet({ depth: 8, width: 2, inChannels: 1, bn: 'none', seed: 0 });
    const clean = tf.tensor4d(data.train.images.subarray(0, 8 * 64), [8, 8, 8, 1]);
    const dirty = tf.tensor4d(poisoned(data.train, 2, Infinity).images.subarray(0, 8 * 64), [8, 8, 8, 1]);
    const tensors = tf.memory().numTensors;
    const ok = await activationMoments(net, clean);
    expect(ok.every((m) => m.nonFinite === 0)).toBe(true);
    const bad = await activationMoments(net, dirty);
    expect(bad.map((m) => m.point)).toEqual(ok.map((m) => m.point));
    // the first conv sees the Infinity: some channel's mean or std is non-finite, and so on down
    expect(bad[0]!.nonFinite).toBeGreaterThan(0);
    expect(bad.at(-1)!.nonFinite).toBeGreaterThan(0);
    for (const m of bad) {
      const count = [...m.means, ...m.stds].filter((v) => !Number.isFinite(v)).length;
      expect(m.nonFinite, m.point).toBe(count);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    clean.dispose();
    dirty.dispose();
    net.dispose();
  });

  it('stepSizeScan: a step that overflows is relative loss Infinity and sets α*; NaN at θ is Infinity everywhere', async () => {
    const data = synthetic(16);
    const net = buildMlp({ depth: 4, width: 16, inputs: 64, bn: 'none', seed: 0 });
    const x = tf.tensor4d(data.train.images.subarray(0, 16 * 64), [16, 8, 8, 1]);
    const y = tf.tensor1d(Int32Array.from(data.train.labels.subarray(0, 16)), 'int32');
    const tensors = tf.memory().numTensors;
    const alphas = [1e-4, 1e-3, 1e37, 1e38];
    const s = await stepSizeScan(net, x, y, alphas);
    expect(Number.isFinite(s.loss0)).toBe(true);
    expect(s.relative[0]).toBeGreaterThan(0);
    expect(s.relative[0]).toBeLessThan(1.1); // a tiny step barely moves the loss
    expect(s.relative.slice(2)).toEqual([Infinity, Infinity]);
    expect(s.alphaStar).toBe(1e37);
    expect(tf.memory().numTensors).toBe(tensors);

    const nanX = tf.tensor4d(poisoned(data.train, 0, NaN).images.subarray(0, 16 * 64), [16, 8, 8, 1]);
    const n = await stepSizeScan(net, nanX, y, alphas);
    expect(Number.isNaN(n.loss0)).toBe(true);
    expect(n.relative).toEqual(alphas.map(() => Infinity));
    expect(n.alphaStar).toBe(alphas[0]);
    nanX.dispose();
    x.dispose();
    y.dispose();
    net.dispose();
  });
});

describe('a claim record with non-finite statistics', () => {
  it('is written with value null and a note, as valid JSON the gate reads', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-nonfinite-'));
    // What a claim does with a diverged run: report its numbers as they are.
    const data = synthetic(64);
    const net = buildMlp({ depth: 3, width: 16, inputs: 64, bn: 'none', seed: 0 });
    const r = await train(net, data, { epochs: 2, batchSize: 16, schedule: constant(Infinity), seed: 0, progress: false });
    net.dispose();
    const c = new ClaimContext({ id: 'diverged-claim', title: 'A claim whose run diverged', paper: 'Fig. 1' });
    c.scale({ model: 'MLP-3', depth: 3, width: 16, seeds: 1 });
    c.stat('loss at divergence', r.diverged!.loss);
    c.stat('ratio', Infinity, { ci: [1, Infinity], p: NaN, paper: '~100×' });
    c.stat('log ratio', -Infinity, { note: 'log of 0' });
    c.stat('finite', 2.5, { ci: [3, 1] });
    c.check('the run diverged', r.diverged !== null, `step ${r.diverged?.step}`);
    writeRecord(
      {
        id: c.meta.id,
        title: c.meta.title,
        paper: c.meta.paper,
        profile: 'smoke',
        backend: 'wasm',
        dataset: 'synthetic',
        scale: c.scaleInfo!,
        statistics: c.allStatistics(),
        assertions: c.assertions,
        verdict: verdictOf(c.assertions),
        durationMs: 1,
        seed: 0,
        startedAt: new Date().toISOString(),
      },
      dir,
    );
    const text = fs.readFileSync(path.join(dir, 'claims.json'), 'utf8');
    // JSON has no NaN or Infinity: a bare one would make the file unparseable
    expect(() => JSON.parse(text)).not.toThrow();
    const [rec] = readRecords(dir);
    const byName = Object.fromEntries(rec!.statistics.map((s) => [s.name, s]));
    expect(byName['loss at divergence']).toEqual({
      name: 'loss at divergence',
      value: null,
      note: `measured value was ${r.diverged!.loss} (not finite)`,
    });
    expect(byName.ratio).toEqual({
      name: 'ratio',
      value: null,
      paper: '~100×',
      note: 'measured value was Infinity (not finite); CI [1, Infinity] not finite, dropped; p-value was NaN, dropped',
    });
    expect(byName['log ratio']).toEqual({ name: 'log ratio', value: null, note: 'log of 0; measured value was -Infinity (not finite)' });
    expect(byName.finite).toEqual({ name: 'finite', value: 2.5, ci: [1, 3] });
    expect(rec!.verdict).toBe('holds');
    fs.writeFileSync(
      path.join(dir, 'baseline.json'),
      JSON.stringify({ version: 1, profile: 'smoke', claims: { 'diverged-claim': { expected: 'holds' } } }),
    );
    const gate = runGate(['--reports', dir, '--baseline', path.join(dir, 'baseline.json')]);
    expect(gate.code, gate.output).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
