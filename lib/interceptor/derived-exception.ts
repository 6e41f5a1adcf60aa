import { STATUS_CODES } from 'node:http';
import type { SpanRecord } from '../tracing/span-record';
import { HttpAttribute } from './http-attributes';

// Nest's built-in exception for each status, the one its guards, pipes and filters throw.
const EXCEPTION_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'BadRequestException',
  401: 'UnauthorizedException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  405: 'MethodNotAllowedException',
  406: 'NotAcceptableException',
  408: 'RequestTimeoutException',
  409: 'ConflictException',
  410: 'GoneException',
  412: 'PreconditionFailedException',
  413: 'PayloadTooLargeException',
  415: 'UnsupportedMediaTypeException',
  418: 'ImATeapotException',
  421: 'MisdirectedException',
  422: 'UnprocessableEntityException',
  500: 'InternalServerErrorException',
  501: 'NotImplementedException',
  502: 'BadGatewayException',
  503: 'ServiceUnavailableException',
  504: 'GatewayTimeoutException',
  505: 'HttpVersionNotSupportedException',
};

/** The exception type a status code stands for: Nest's own class name, else `HttpException`. */
export function exceptionTypeForStatus(status: number): string {
  return EXCEPTION_BY_STATUS[status] ?? 'HttpException';
}

/**
 * Marks the span failed when the exception itself never reached the interceptor (a guard
 * rejected the request, or the failure came after the handler): the `exception` event then
 * carries a type derived from the status code and says so in its message.
 */
export function recordDerivedException(span: SpanRecord, status: number): void {
  const type = exceptionTypeForStatus(status);
  const message = `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
  span.statusCode = 'ERROR';
  span.statusMessage = `${type}: ${message}`;
  span.attributes[HttpAttribute.ERROR_TYPE] = type;
  span.addEvent('exception', {
    'exception.type': type,
    'exception.message': `${message} (type derived from the response status: the exception was handled before the tracing interceptor saw it)`,
    'exception.stacktrace': '',
  });
}
