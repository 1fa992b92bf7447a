import { serve } from '@owkit/runtime';
import { greet } from './greet.js';

await serve(greet);
