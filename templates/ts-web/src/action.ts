import { serve, web } from '@owkit/runtime';
import { app } from './app.js';

await serve(web(app));
