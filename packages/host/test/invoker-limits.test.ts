import { expect, it } from 'vitest';
import { INVOKER_MEMORY_MB, invokerLimitArgs } from '../src/invoker-limits.js';

it("gives the invoker's defaults as docker run arguments", () => {
  expect(INVOKER_MEMORY_MB).toBe(256);
  expect(invokerLimitArgs().join(' ')).toBe(
    '--memory 256m --memory-swap 256m --pids-limit 1024 --ulimit nofile=1024:1024 --cap-drop NET_RAW --cap-drop NET_ADMIN',
  );
});

it('replaces only the memory figure, swap included, when asked', () => {
  const args = invokerLimitArgs(512);
  expect(args.slice(0, 4)).toEqual(['--memory', '512m', '--memory-swap', '512m']);
  expect(args.slice(4)).toEqual(invokerLimitArgs().slice(4));
});

it('refuses a memory figure docker would misread', () => {
  expect(() => invokerLimitArgs(0)).toThrow(RangeError);
  expect(() => invokerLimitArgs(1.5)).toThrow(/positive whole number of MB, got 1.5/);
});
