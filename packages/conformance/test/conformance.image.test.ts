import { defineConformance } from '../src/suite.js';

defineConformance('image');
