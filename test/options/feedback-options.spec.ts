import { MlflowTracingConfigError } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';

describe('feedback options', () => {
  it('defaults to 1000 held, a two-minute hold window and 10 s requests', () => {
    expect(resolveOptions({}, {}).feedback).toEqual({
      maxHeld: 1000,
      holdTimeoutMs: 120_000,
      holdUnknownTraces: false,
      requestTimeoutMs: 10_000,
    });
    expect(resolveOptions({ feedback: { maxHeld: 5 } }, {}).feedback.maxHeld).toBe(5);
  });

  it.each([
    [{ maxHeld: 0 }, 'feedback.maxHeld'],
    [{ holdTimeoutMs: -1 }, 'feedback.holdTimeoutMs'],
    [{ requestTimeoutMs: '10s' }, 'feedback.requestTimeoutMs'],
    [{ holdUnknownTraces: 'yes' }, 'feedback.holdUnknownTraces'],
  ])('refuses %j at startup, naming the option', (feedback, option) => {
    expect(() => resolveOptions({ feedback: feedback as never }, {})).toThrow(
      MlflowTracingConfigError,
    );
    expect(() => resolveOptions({ feedback: feedback as never }, {})).toThrow(`"${option}"`);
  });

  it('refuses feedback options that are not an object', () => {
    expect(() => resolveOptions({ feedback: 5 as never }, {})).toThrow('"feedback"');
  });
});
