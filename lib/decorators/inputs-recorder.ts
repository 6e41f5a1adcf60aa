import { parameterNames, restParameterIndex } from './parameter-names';

/**
 * Builds `{ question: "hi", topK: 3 }` from a call's arguments. Parameter names are read on the
 * first call and kept; arguments past the named ones are recorded as `argN`.
 */
export function inputsRecorder(
  fn: (...args: never[]) => unknown,
): (args: readonly unknown[]) => unknown {
  let names: string[] | undefined;
  let restIndex = -1;
  return (args) => {
    if (names === undefined) {
      names = parameterNames(fn);
      restIndex = restParameterIndex(fn);
    }
    const inputs: Record<string, unknown> = {};
    for (let i = 0; i < args.length; i++) {
      if (i === restIndex) {
        inputs[names[i]] = args.slice(i);
        break;
      }
      inputs[i < names.length ? names[i] : `arg${i}`] = args[i];
    }
    return inputs;
  };
}
