import type { JsonValue } from '../trace-model';

/** What a traced function records, fixed once per function (at decoration time). */
export interface SpanDefinition {
  readonly name: string;
  /** `Class.method` of the `@Trace` this comes from: named when no tracing module is set up. */
  readonly decoratedMethod?: string;
  /** `undefined`: the tracer's default span type. */
  readonly spanType: string | undefined;
  /** Extra attributes, already JSON-safe. */
  readonly attributes: Readonly<Record<string, JsonValue>> | undefined;
  /** Builds the recorded inputs from the call's arguments; `undefined` records none. */
  readonly recordInputs: ((args: readonly unknown[]) => unknown) | undefined;
  readonly captureOutputs: boolean;
  /** `captureOutputs` given as a function. */
  readonly outputsFilter?: (value: unknown) => unknown;
}
