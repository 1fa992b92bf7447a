import { SENTINEL } from '@owkit/testkit';
import { describe, expect, it } from 'vitest';
import { activationLogs, type LogLine, parseDockerLogs } from '../src/invoke/logs.js';

function lines(stream: 'stdout' | 'stderr', texts: string[], start: number): LogLine[] {
  return texts.map((text, i) => ({ time: `2026-01-01T00:00:0${start + i}Z`, stream, text }));
}

describe('activation logs', () => {
  const all = [
    ...lines('stdout', ['booting', 'one out', SENTINEL, 'two out', SENTINEL], 0),
    ...lines('stderr', ['one err', SENTINEL, SENTINEL], 1),
  ];

  it('gives the first activation what came before its sentinels, start-up output included', () => {
    expect(activationLogs(all, 0).map((l) => `${l.stream}:${l.text}`)).toEqual([
      'stdout:booting',
      'stdout:one out',
      'stderr:one err',
    ]);
  });

  it('gives a later activation only what came between its sentinels, never the sentinels', () => {
    expect(activationLogs(all, 1).map((l) => l.text)).toEqual(['two out']);
    expect(activationLogs(all, 2)).toEqual([]);
  });

  it('reads docker logs --timestamps lines', () => {
    expect(
      parseDockerLogs(
        '2026-11-29T06:00:00.000000001Z hello world\n2026-11-29T06:00:01.000000000Z \n',
        'stderr',
      ),
    ).toEqual([
      { time: '2026-11-29T06:00:00.000000001Z', stream: 'stderr', text: 'hello world' },
      { time: '2026-11-29T06:00:01.000000000Z', stream: 'stderr', text: '' },
    ]);
  });
});
