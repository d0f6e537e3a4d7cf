// The derivation of effects from events (derivation.ts), as the rest of effects/ imports it.
export { deriveEffects, checkNamespace, type DeriveContext } from './derivation.ts';
