// The spawn floor's own process (see measureSpawnFloor): argv is binary, seconds, warm-up seconds.
import { runSpawnFloor } from './spawn-floor.js';

const [binary, seconds, warmup] = process.argv.slice(2);
if (binary === undefined) {
  process.stderr.write('usage: spawn-floor-child <binary> <seconds> <warmup-seconds>\n');
  process.exitCode = 2;
} else {
  const result = await runSpawnFloor(binary, Number(seconds ?? 2), Number(warmup ?? 1));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
