// The registry of techniques, by id. A technique that is not built yet is absent, and the engine
// refuses it with a clear message (`compare` lists it as skipped).
import type { Technique, TechniqueId } from '../technique';
import { native } from './native';

export const TECHNIQUES: Readonly<Partial<Record<TechniqueId, Technique>>> = {
  native,
};
