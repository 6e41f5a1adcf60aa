import { Logger } from '@nestjs/common';
import { traceAnthropic, traceOpenAI } from '../../../lib';

describe.each([
  ['traceOpenAI', traceOpenAI, 'chat.completions.create'],
  ['traceAnthropic', traceAnthropic, 'messages.create'],
] as const)('%s given something that is not a client', (name, wrap, method) => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it.each([undefined, null, 'sk-live-key', 42])(
    'throws a TypeError naming the call for %p',
    (value) => {
      expect(() => wrap(value as never)).toThrow(TypeError);
      expect(() => wrap(value as never)).toThrow(
        new RegExp(`^${name}\\(\\) needs the SDK client object`),
      );
    },
  );

  it('hands an object without the traced methods back untouched, with one warning naming them', () => {
    const settings = { apiKey: 'x', baseURL: 'http://localhost' };
    expect(wrap(settings)).toBe(settings);
    expect(settings).toEqual({ apiKey: 'x', baseURL: 'http://localhost' });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain(`${name}() found none of`);
    expect(warn.mock.calls[0][0]).toContain(method);
  });
});
