import { inject } from 'vitest';
import { useTestKeyPairs } from '../../src/auth/keys.js';

// Runs before each test file: the SAML key pairs global-setup.ts made once for the whole run.
useTestKeyPairs(inject('testKeyPairs'));
