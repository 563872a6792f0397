import { describe, expect, it } from 'vitest';
import {
  benchSettings,
  childEnv,
  ConfigError,
  parseConfig,
  parseDataSpec,
  profileSteps,
  quiet,
  setEnv,
  systemPackagesRequired,
  wasmKernelsOn,
} from './config';

describe('environment config', () => {
  it('defaults to the smoke profile on the embedded Fashion-MNIST', () => {
    expect(parseConfig({})).toEqual({
      profile: 'smoke',
      backend: 'auto',
      data: { kind: 'fashion-mnist' },
      dataName: 'fashion-mnist',
      seed: 0,
      dataSeed: 0,
      fault: 'none',
    });
  });

  it('parses every allowed value', () => {
    const c = parseConfig({
      BN_PROFILE: 'paper',
      BN_BACKEND: 'wasm',
      BN_DATA: 'cifar10:/data/c10',
      BN_SEED: '17',
      BN_DATA_SEED: '5',
      BN_FAULT: 'bn-no-normalise',
    });
    expect(c).toMatchObject({
      profile: 'paper',
      backend: 'wasm',
      data: { kind: 'cifar10', dir: '/data/c10' },
      seed: 17,
      dataSeed: 5,
      fault: 'bn-no-normalise',
    });
    expect(parseDataSpec('fashion-mnist:/usr/share/datasets/fashion-mnist')).toEqual({
      kind: 'fashion-mnist',
      dir: '/usr/share/datasets/fashion-mnist',
    });
    expect(parseDataSpec('synthetic')).toEqual({ kind: 'synthetic' });
  });

  it.each([
    [{ BN_PROFILE: 'fast' }, /BN_PROFILE="fast" is not valid: expected one of smoke \| full \| paper/],
    [{ BN_BACKEND: 'gpu' }, /BN_BACKEND="gpu" is not valid: expected one of auto \| tensorflow \| webgpu \| wasm \| cpu/],
    [{ BN_SEED: '-1' }, /BN_SEED="-1" is not valid: expected a non-negative integer/],
    [{ BN_SEED: '1.5' }, /BN_SEED="1.5" is not valid/],
    [{ BN_SEED: '99999999999' }, /BN_SEED="99999999999" is not valid: expected an integer below 2\^31/],
    [{ BN_DATA_SEED: 'x' }, /BN_DATA_SEED="x" is not valid: expected a non-negative integer/],
    [{ BN_DATA: 'mnist' }, /BN_DATA="mnist" is not valid: expected fashion-mnist \| fashion-mnist:DIR \| cifar10:DIR \| synthetic/],
    [{ BN_DATA: 'cifar10' }, /BN_DATA="cifar10" is not valid: cifar10 needs a directory/],
    [{ BN_DATA: 'fashion-mnist:' }, /the directory after "fashion-mnist:" is empty/],
    [{ BN_FAULT: 'everything' }, /BN_FAULT="everything" is not valid: expected one of none \| bn-no-normalise/],
  ])('rejects %o with one readable line', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('reports several bad variables in one message', () => {
    expect(() => parseConfig({ BN_PROFILE: 'x', BN_BACKEND: 'y' })).toThrow(/BN_PROFILE="x".*; BN_BACKEND="y"/);
  });

  it('BN_REQUIRE_SYSTEM_PACKAGES is 0 or 1 (unset: 0)', () => {
    expect(systemPackagesRequired({})).toBe(false);
    expect(systemPackagesRequired({ BN_REQUIRE_SYSTEM_PACKAGES: '0' })).toBe(false);
    expect(systemPackagesRequired({ BN_REQUIRE_SYSTEM_PACKAGES: ' 1 ' })).toBe(true);
    expect(() => systemPackagesRequired({ BN_REQUIRE_SYSTEM_PACKAGES: 'yes' })).toThrow(
      'BN_REQUIRE_SYSTEM_PACKAGES="yes" is not valid: expected 0 | 1',
    );
  });

  it('the switches are 0 or 1, in the same one-line style', () => {
    expect(quiet({})).toBe(false);
    expect(quiet({ BN_QUIET: '1' })).toBe(true);
    expect(wasmKernelsOn({})).toBe(true);
    expect(wasmKernelsOn({ BN_WASM_KERNELS: '0' })).toBe(false);
    expect(() => quiet({ BN_QUIET: 'yes' })).toThrow('BN_QUIET="yes" is not valid: expected 0 | 1');
  });

  it("the bench's settings: defaults, and a bad value in one line", () => {
    expect(benchSettings({})).toEqual({ steps: 5, torch: true, webgpu: true, cpu: true });
    expect(benchSettings({ BN_BENCH_STEPS: '20', BN_BENCH_ONLY: 'torch', BN_BENCH_CPU: '0', BN_BENCH_PYTHON: '/usr/bin/python3' })).toEqual(
      {
        steps: 20,
        only: 'torch',
        python: '/usr/bin/python3',
        torch: true,
        webgpu: true,
        cpu: false,
      },
    );
    expect(() => benchSettings({ BN_BENCH_STEPS: '0' })).toThrow('BN_BENCH_STEPS="0" is not valid: expected a positive integer');
    expect(() => benchSettings({ BN_BENCH_ONLY: 'cpu' })).toThrow('BN_BENCH_ONLY="cpu" is not valid: expected torch');
    expect(() => profileSteps({ BN_PROFILE_STEPS: 'x' })).toThrow('BN_PROFILE_STEPS="x" is not valid: expected a positive integer');
  });

  it("a child's environment: this process's, less what is dropped, plus what is set", () => {
    setEnv({ BN_CONFIG_TEST: 'a' });
    try {
      expect(childEnv().BN_CONFIG_TEST).toBe('a');
      expect(childEnv({ BN_CONFIG_TEST: 'b', OTHER: 'c' })).toMatchObject({ BN_CONFIG_TEST: 'b', OTHER: 'c' });
      expect(childEnv({}, (k) => k === 'BN_CONFIG_TEST')).not.toHaveProperty('BN_CONFIG_TEST');
      expect(childEnv({ BN_CONFIG_TEST: undefined })).not.toHaveProperty('BN_CONFIG_TEST');
    } finally {
      setEnv({ BN_CONFIG_TEST: undefined });
    }
  });
});
