/**
 * Tests that need a system package (the Vulkan loader and Mesa's lavapipe, Chromium, Debian's
 * full Fashion-MNIST): on a fresh machine they skip with one line naming the package and how to
 * install it; under BN_REQUIRE_SYSTEM_PACKAGES=1 (set by .ci/run, which installs them) a missing
 * package is a failing test instead, so CI cannot pass by skipping.
 */
import { it } from 'vitest';
import { systemPackagesRequired } from '../../config';

/**
 * Whether the package is here. When it is not: registers a failing test under
 * BN_REQUIRE_SYSTEM_PACKAGES=1, else prints the skip line. Call it at a file's top level or inside
 * a describe, and skip the tests that need the package when it returns false.
 */
export function systemPackage(what: string, present: boolean, why: string): boolean {
  if (present) return true;
  const line = `${what} not found: ${why}`;
  if (systemPackagesRequired())
    it(`${what} is installed (required: BN_REQUIRE_SYSTEM_PACKAGES=1)`, () => {
      throw new Error(line);
    });
  else console.warn(`[skip] ${line}`);
  return false;
}
