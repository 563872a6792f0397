import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseDataSpec, systemPackagesRequired } from './config';

describe('environment config', () => {
  it('defaults to the smoke profile on the embedded Fashion-MNIST', () => {
    expect(parseConfig({})).toEqual({
      profile: 'smoke',
      backend: 'auto',
      data: { kind: 'fashion-mnist' },
      dataName: 'fashion-mnist',
      seed: 0,
      fault: 'none',
    });
  });

  it('parses every allowed value', () => {
    const c = parseConfig({
      BN_PROFILE: 'paper',
      BN_BACKEND: 'wasm',
      BN_DATA: 'cifar10:/data/c10',
      BN_SEED: '17',
      BN_FAULT: 'bn-no-normalise',
    });
    expect(c).toMatchObject({
      profile: 'paper',
      backend: 'wasm',
      data: { kind: 'cifar10', dir: '/data/c10' },
      seed: 17,
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
});
