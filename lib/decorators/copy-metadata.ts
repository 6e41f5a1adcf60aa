/**
 * Gives `target` every Reflect metadata entry `source` carries (routes, guards, message
 * patterns, Swagger docs…), so wrapping a method hides nothing from Nest, in any decorator order.
 */
export function copyMetadata(source: object, target: object): void {
  if (typeof Reflect.getOwnMetadataKeys !== 'function') return;
  for (const key of Reflect.getOwnMetadataKeys(source)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, source), target);
  }
}
