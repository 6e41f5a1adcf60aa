export { OtlpTraceSink } from './otlp-trace-sink';
export { OtlpHttpError } from './otlp-http.error';
