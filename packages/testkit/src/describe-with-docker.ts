import { dockerAvailableSync } from '@owkit/host/docker';
import { describe, it } from 'vitest';

/**
 * A vitest `describe` for suites that need a Docker engine. With an engine it is a plain describe.
 * Without one it fails when CI=true (CI must never pass by not testing) and otherwise says why it
 * does not run.
 */
export function describeWithDocker(name: string, fn: () => void): void {
  if (dockerAvailableSync()) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs a Docker engine', () => {
        throw new Error(
          `${name}: CI=true but no Docker engine answers \`docker info\`; .ci/run starts one`,
        );
      });
    });
    return;
  }
  console.warn(`skipping ${name}: no Docker engine answers (start one: see .ci/run)`);
  describe.runIf(false)(name, fn);
}
