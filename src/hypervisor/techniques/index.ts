// The registry of techniques, by id. A technique that is not built yet is absent, and the engine
// refuses it with a clear message (`compare` lists it as skipped).
import type { Technique, TechniqueId } from '../technique';
import { binaryTranslation } from './binary-translation';
import { hardwareAssisted } from './hardware-assisted';
import { interpret } from './interpret';
import { native } from './native';
import { paravirtualization } from './paravirtualization';
import { trapAndEmulate } from './trap-and-emulate';

export const TECHNIQUES: Readonly<Partial<Record<TechniqueId, Technique>>> = {
  native,
  interpret,
  'trap-and-emulate': trapAndEmulate,
  'binary-translation': binaryTranslation,
  'hardware-assisted': hardwareAssisted,
  paravirtualization,
};
