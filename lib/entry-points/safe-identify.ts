import { Logger } from '@nestjs/common';
import { acceptIdentity, MAX_IDENTITY_LENGTH } from '../interceptor/identity-value';
import type { RequestIdentity } from '../options/http-tracing-options.interface';

/**
 * Calls an app's `identify` option: a throw gives no identity (logged once), and what it
 * returns is validated by the same rule as HTTP identity.
 */
export class SafeIdentify<T> {
  private readonly logger = new Logger('MlflowTracing');
  private failures = 0;

  constructor(
    private readonly option: string,
    private readonly identify: (source: T) => RequestIdentity | undefined,
  ) {}

  of(source: T): RequestIdentity {
    let identity: RequestIdentity | undefined;
    try {
      identity = this.identify(source);
    } catch (error) {
      if (this.failures++ === 0)
        this.logger.warn(
          `${this.option} threw; the trace gets no user or session: ${String(error)}`,
        );
    }
    return {
      user: acceptIdentity(identity?.user, MAX_IDENTITY_LENGTH),
      session: acceptIdentity(identity?.session, MAX_IDENTITY_LENGTH),
    };
  }
}
