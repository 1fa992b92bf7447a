import type { Handler } from '@owkit/runtime';

/** The first word of every answer: change it, and the tests follow. */
export const GREETING = 'hello';

export interface Params {
  name?: string;
}

/** `{"name":"Ada"}` → `{"greeting":"hello, Ada"}`; without a name, the world is greeted. */
export const greet: Handler<Params> = ({ name = 'world' }) => ({
  greeting: `${GREETING}, ${name}`,
});
