import { dockerCommand, type EngineOptions, removeLabelledContainers } from '@owkit/host/docker';
import { BenchError } from './errors.js';

/**
 * The engine a command goes to: the main one (`{}`), or the throw-away one by its socket
 * (`{host}`). Every Docker operation is @owkit/host/docker's; this module keeps only the bench's
 * label and the one operation nothing else does.
 */
export type Engine = EngineOptions;
export const MAIN_ENGINE: Engine = {};

export const BENCH_LABEL = 'owkit.bench=1';

/**
 * Every image and every layer gone, so the next pull shares nothing with what came before. Only
 * the bench wants this, and only on its throw-away engine (on the main engine it would destroy
 * everyone's images), so it stays here rather than in @owkit/host.
 */
export async function removeAllImages(engine: Engine): Promise<void> {
  const list = () => dockerCommand(['image', 'ls', '--all', '--quiet'], engine);
  const ids = (await list()).split('\n').filter(Boolean);
  if (ids.length > 0) await dockerCommand(['rmi', '--force', ...new Set(ids)], engine);
  await dockerCommand(['image', 'prune', '--all', '--force'], engine);
  const left = await list();
  if (left !== '') throw new BenchError(`images left after pruning: ${left.replace(/\n/g, ' ')}`);
}

/** Every container the bench started on the main engine and did not get to remove. */
export function removeBenchContainers(engine: Engine = MAIN_ENGINE): Promise<void> {
  return removeLabelledContainers(BENCH_LABEL, engine);
}
