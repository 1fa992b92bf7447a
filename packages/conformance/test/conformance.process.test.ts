import { defineConformance } from '../src/suite.js';

defineConformance('process');
