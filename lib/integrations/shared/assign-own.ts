import { setProperty } from '../../serialization';

type Json = Record<string, unknown>;

/** `Object.assign` for a provider's JSON, through `setProperty`; non-objects add nothing. */
export function assignOwn(target: Json, ...sources: unknown[]): Json {
  for (const source of sources) {
    if (typeof source !== 'object' || source === null) continue;
    for (const [key, value] of Object.entries(source)) setProperty(target, key, value);
  }
  return target;
}
