// Every rejection code the engine answers with: the core's and each mechanism's, in one list (for the docs' tables
// and the test that every code has a test).
import { MECHANISM_REJECTION_CODES } from './registry.ts';
import { CORE_REJECTION_CODES, type RejectionCode } from './results.ts';

export const REJECTION_CODES: readonly RejectionCode[] = [...CORE_REJECTION_CODES, ...MECHANISM_REJECTION_CODES];
