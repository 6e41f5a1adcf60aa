import { formatTraceparent, parseTraceparent } from '../../lib/tracing/traceparent';

describe('traceparent', () => {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  const spanId = 'b7ad6b7169203331';

  it('parses a valid header and its sampled flag', () => {
    expect(parseTraceparent(`00-${traceId}-${spanId}-01`)).toEqual({
      traceIdHex: traceId,
      spanIdHex: spanId,
      sampled: true,
    });
    expect(parseTraceparent(`00-${traceId}-${spanId}-00`)?.sampled).toBe(false);
    expect(parseTraceparent(`00-${traceId.toUpperCase()}-${spanId}-01`)?.traceIdHex).toBe(traceId);
  });

  it.each([
    ['not a header'],
    [`00-${'0'.repeat(32)}-${spanId}-01`],
    [`00-${traceId}-${'0'.repeat(16)}-01`],
    [`ff-${traceId}-${spanId}-01`],
    [`00-${traceId}-${spanId}-01-extra`],
    [`00-${traceId.slice(1)}-${spanId}-01`],
    [undefined],
    [42],
  ])('rejects %p', (header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('accepts future versions with extra fields, as W3C asks', () => {
    expect(parseTraceparent(`01-${traceId}-${spanId}-01-whatever`)?.spanIdHex).toBe(spanId);
  });

  it('round-trips', () => {
    expect(parseTraceparent(formatTraceparent(traceId, spanId))).toEqual({
      traceIdHex: traceId,
      spanIdHex: spanId,
      sampled: true,
    });
  });
});
