import { describe, expect, it } from 'vitest';
import { EXIT, exitMeaning } from '../src/exit.js';

describe('exitMeaning', () => {
  it('says of goals missed or inconclusive that the run itself did not fail', () => {
    expect(exitMeaning(EXIT.goalMissed)).toMatch(/missed.*not a failure of the run/);
    expect(exitMeaning(EXIT.goalInconclusive)).toMatch(/inconclusive.*not a failure of the run/);
  });

  it('gives every exit code a meaning of its own', () => {
    const meanings = Object.values(EXIT).map(exitMeaning);
    expect(new Set(meanings).size).toBe(meanings.length);
    expect(meanings).not.toContain(exitMeaning(99));
  });
});
