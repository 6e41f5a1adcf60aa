/* eslint-disable @typescript-eslint/no-explicit-any */
import { acceptIdentity, MAX_IDENTITY_LENGTH } from '../../interceptor/identity-value';
import type { RequestIdentity } from '../../options/http-tracing-options.interface';
import type {
  ResolvedEntryPointOptions,
  ResolvedHttpOptions,
} from '../../options/resolved-tracing-options';
import { SafeIdentify } from '../safe-identify';

type WsOptions = ResolvedEntryPointOptions['websocket'];

/**
 * User and session of a gateway message, each validated like an HTTP request's. By default from
 * socket.io's handshake: `auth`, then `query`, then the HTTP user/session headers.
 */
export class WsIdentity {
  private readonly custom: SafeIdentify<unknown> | undefined;

  constructor(
    private readonly options: WsOptions,
    private readonly http: ResolvedHttpOptions,
  ) {
    if (options.identify !== undefined)
      this.custom = new SafeIdentify('entryPoints.websocket.identify', options.identify);
  }

  of(client: any): RequestIdentity {
    if (this.custom !== undefined) return this.custom.of(client);
    const handshake = client?.handshake;
    if (handshake === undefined || handshake === null) return {};
    return {
      user: this.read(handshake, this.options.userField, this.http.userHeader),
      session: this.read(handshake, this.options.sessionField, this.http.sessionHeader),
    };
  }

  private read(handshake: any, field: string | false, header: string | false): string | undefined {
    const value =
      field === false
        ? undefined
        : (valueOf(handshake.auth, field) ?? valueOf(handshake.query, field));
    if (value !== undefined) return acceptIdentity(value, MAX_IDENTITY_LENGTH);
    return header === false
      ? undefined
      : acceptIdentity(valueOf(handshake.headers, header), MAX_IDENTITY_LENGTH);
  }
}

function valueOf(record: unknown, key: string): unknown {
  if (record === null || typeof record !== 'object') return undefined;
  // Own properties only: a handshake field named `constructor` must not read the prototype.
  return Object.prototype.hasOwnProperty.call(record, key)
    ? (record as Record<string, unknown>)[key]
    : undefined;
}
