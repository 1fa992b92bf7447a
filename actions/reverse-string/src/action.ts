import { serve } from '@owkit/runtime';
import { reverse } from './reverse.js';

await serve(reverse);
