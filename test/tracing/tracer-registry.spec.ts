import { InMemoryTraceExporter } from '../../lib';
import { DEFAULT_SERIALIZATION_LIMITS } from '../../lib/serialization';
import { Tracer } from '../../lib/tracing/tracer';
import {
  bindInstances,
  clearDefaultTracer,
  setDefaultTracer,
  tracerFor,
  unbindInstances,
} from '../../lib/tracing/tracer-registry';

const newTracer = () =>
  new Tracer({
    enabled: true,
    sampleRatio: 1,
    defaultSpanType: 'UNKNOWN',
    limits: DEFAULT_SERIALIZATION_LIMITS,
    exporter: new InMemoryTraceExporter(),
  });

describe('tracer registry', () => {
  it("gives each app's instances their app's tracer, and anything else the latest app's", () => {
    const first = newTracer();
    const second = newTracer();
    const ofFirst = {};
    const ofSecond = {};
    const stranger = {};
    try {
      setDefaultTracer(first);
      bindInstances([ofFirst], first);
      expect([tracerFor(ofFirst), tracerFor(stranger)]).toEqual([first, first]);

      setDefaultTracer(second);
      bindInstances([ofSecond], second);
      expect(tracerFor(ofFirst)).toBe(first);
      expect(tracerFor(ofSecond)).toBe(second);
      expect(tracerFor(stranger)).toBe(second);
      expect(tracerFor(undefined)).toBe(second);

      // The second app stops: all goes to the first again, its bindings included.
      unbindInstances([ofSecond], second);
      clearDefaultTracer(second);
      expect([tracerFor(ofFirst), tracerFor(ofSecond), tracerFor(stranger)]).toEqual([
        first,
        first,
        first,
      ]);

      // One app running, but an instance still bound to a stopped one keeps its tracer.
      bindInstances([ofSecond], second);
      expect(tracerFor(ofSecond)).toBe(second);
      expect(tracerFor(stranger)).toBe(first);
      unbindInstances([ofSecond], second);
    } finally {
      unbindInstances([ofFirst], first);
      clearDefaultTracer(first);
      clearDefaultTracer(second);
    }
    expect(tracerFor(stranger)).toBeUndefined();
  });
});
