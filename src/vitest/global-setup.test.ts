import { CLAIMS } from '../../claims/catalogue';
import { describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import setup from './claims-global-setup';
import { serializeRecords } from '../report/records';
import { fakeRecord } from '../report/testing/fake-records';

const project = (root: string) => ({ config: { root } }) as never;

describe('claims globalSetup', () => {
  it('setup creates reports/ and clears nothing; teardown writes index.html even with no records', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-setup-'));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const teardown = setup(project(root));
      expect(fs.existsSync(path.join(root, 'reports'))).toBe(true);
      teardown();
      const html = fs.readFileSync(path.join(root, 'reports', 'index.html'), 'utf8');
      expect([...html.matchAll(/data-verdict="not-run"/g)]).toHaveLength(CLAIMS.length);
      expect(log).toHaveBeenCalledWith('[report] claims summary: reports/index.html');
    } finally {
      log.mockRestore();
    }
  });

  it('keeps existing records and builds the page from them and the baseline', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-setup-'));
    fs.mkdirSync(path.join(root, 'reports'));
    fs.mkdirSync(path.join(root, 'claims'));
    const claims = serializeRecords([fakeRecord('heavy-tailed-gradients')]);
    fs.writeFileSync(path.join(root, 'reports', 'claims.json'), claims);
    fs.writeFileSync(
      path.join(root, 'claims', 'baseline.json'),
      JSON.stringify({ version: 1, profile: 'smoke', claims: { 'low-lr-parity': { expected: 'fails', reason: 'too few epochs' } } }),
    );
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      setup(project(root))();
    } finally {
      log.mockRestore();
    }
    expect(fs.readFileSync(path.join(root, 'reports', 'claims.json'), 'utf8')).toBe(claims);
    const html = fs.readFileSync(path.join(root, 'reports', 'index.html'), 'utf8');
    expect(html).toContain('data-claim-id="heavy-tailed-gradients" data-verdict="holds"');
    expect(html).toContain('too few epochs');
  });

  it('teardown never throws: a broken claims.json becomes a warning', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bn-setup-'));
    fs.mkdirSync(path.join(root, 'reports'));
    fs.writeFileSync(path.join(root, 'reports', 'claims.json'), '{');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(() => setup(project(root))()).not.toThrow();
      expect(warn.mock.calls[0]![0]).toMatch(/^\[report\] .*claims\.json is not valid JSON/);
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
  });
});
