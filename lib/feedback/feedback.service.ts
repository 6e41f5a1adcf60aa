import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { MaskingService } from '../masking/masking.service';
import { MlflowHttpClient } from '../mlflow/mlflow-http-client';
import { RESOLVED_TRACING_OPTIONS } from '../mlflow-tracing.constants';
import type { ResolvedTracingOptions } from '../options/resolved-tracing-options';
import { activeSpanRecord } from '../tracing/span-context';
import { Tracer } from '../tracing/tracer';
import type { Assessment } from './assessment.interface';
import type { WireAssessment } from './assessment-wire';
import { AssessmentsClient, classifyFailure, type AssessmentFailure } from './assessments-client';
import { buildExpectation, buildFeedback } from './build-assessment';
import { buildOverride, buildUpdate, checkOverride, checkUpdate } from './build-change';
import { checkRef } from './check-assessment-fields';
import type {
  AssessmentRef,
  ExpectationFields,
  FeedbackFields,
  LogExpectationInput,
  LogFeedbackInput,
  OverrideFeedbackInput,
  UpdateAssessmentInput,
} from './feedback-input.interface';
import type { FeedbackResult, FeedbackStats } from './feedback-result';
import { InvalidFeedbackException, MlflowUnavailableException } from './feedback.exceptions';
import { failureException } from './failure-exception';
import {
  HeldAssessmentQueue,
  type AttemptOutcome,
  type HeldAssessment,
  type HeldEnd,
} from './held-assessment-queue';

/** Free text of an assessment: what masking rewrites before it leaves the process. */
export interface AssessmentFreeText {
  rationale?: string;
  metadata?: Record<string, string>;
}

/**
 * Feedback (thumbs up, ratings, judge verdicts) and expectations (ground truth) on traces, over
 * MLflow's assessments API. Errors are Nest HttpExceptions: thrown from a controller they answer
 * 400 (bad input), 404 (unknown trace or assessment) or 503 (MLflow unreachable).
 */
@Injectable()
export class FeedbackService implements OnApplicationShutdown {
  private readonly logger = new Logger('MlflowFeedback');
  private readonly client: AssessmentsClient;
  private readonly held: HeldAssessmentQueue;
  private readonly counts: Omit<FeedbackStats, 'held'> = {
    logged: 0,
    loggedAfterHold: 0,
    rejected: 0,
    dropped: { hold_full: 0, hold_expired: 0, shutdown: 0, mlflow_unavailable: 0, mlflow_error: 0 },
  };
  private readonly warned = new Set<string>();

  constructor(
    @Inject(RESOLVED_TRACING_OPTIONS) private readonly options: ResolvedTracingOptions,
    private readonly tracer: Tracer,
    @Optional() private readonly masking?: MaskingService,
  ) {
    this.client = new AssessmentsClient(
      new MlflowHttpClient({
        trackingUri: options.trackingUri,
        auth: options.auth,
        requestTimeoutMs: options.feedback.requestTimeoutMs,
      }),
    );
    this.held = new HeldAssessmentQueue({
      maxHeld: options.feedback.maxHeld,
      holdTimeoutMs: options.feedback.holdTimeoutMs,
      attempt: (item) => this.attemptHeld(item),
      onEnd: (item, end) => this.onHeldEnd(item, end),
    });
  }

  /**
   * Logs feedback on a trace. Resolves `logged` once MLflow stored it, or `held` when the trace
   * is one this app started that has not reached MLflow yet (it is sent when the trace lands).
   */
  logFeedback(input: LogFeedbackInput): Promise<FeedbackResult> {
    return this.create(() => buildFeedback(input));
  }

  /** Logs ground truth on a trace; same contract as `logFeedback`. */
  logExpectation(input: LogExpectationInput): Promise<FeedbackResult> {
    return this.create(() => buildExpectation(input));
  }

  /**
   * Feedback on the trace of the current traced call (a guardrail's verdict, say): held and sent
   * once the trace has landed. `skipped` when no recorded trace is active.
   */
  logFeedbackOnCurrentTrace(input: FeedbackFields): Promise<FeedbackResult> {
    return this.onCurrentTrace((traceId) => buildFeedback(input, traceId));
  }

  /** Ground truth on the trace of the current traced call; as `logFeedbackOnCurrentTrace`. */
  logExpectationOnCurrentTrace(input: ExpectationFields): Promise<FeedbackResult> {
    return this.onCurrentTrace((traceId) => buildExpectation(input, traceId));
  }

  /**
   * Replaces a feedback with a new one of the same name and span, as MLflow's
   * `override_feedback`: the old one stays, marked `valid: false`, and the new one's `overrides`
   * names it. Deleting the new one makes the old one valid again.
   */
  async overrideFeedback(input: OverrideFeedbackInput): Promise<FeedbackResult> {
    const checked = this.checked(() => checkOverride(input));
    const old = await this.getAssessment(checked.ref);
    return this.create(() => buildOverride(checked, old));
  }

  /** Changes an assessment in place (MLflow keeps its source and span; metadata is merged). */
  async updateAssessment(input: UpdateAssessmentInput): Promise<Assessment> {
    const checked = this.checked(() => checkUpdate(input));
    const existing = await this.getAssessment(checked.ref);
    const body = this.checked(() => buildUpdate(checked, existing));
    this.mask(body.assessment);
    return this.call(
      () => this.client.update(existing.traceId, existing.assessmentId, body),
      existing,
    );
  }

  /**
   * Deletes an assessment; deleting one that is not there is not an error (as in MLflow).
   * Deleting an override makes the feedback it replaced valid again.
   */
  async deleteAssessment(ref: AssessmentRef): Promise<void> {
    const { traceId, assessmentId } = this.checked(() => checkRef(ref));
    await this.call(() => this.client.delete(traceId, assessmentId), { traceId, assessmentId });
  }

  async getAssessment(ref: AssessmentRef): Promise<Assessment> {
    const { traceId, assessmentId } = this.checked(() => checkRef(ref));
    return this.call(() => this.client.get(traceId, assessmentId), { traceId, assessmentId });
  }

  getStats(): FeedbackStats {
    return { ...this.counts, held: this.held.size, dropped: { ...this.counts.dropped } };
  }

  /** Sends what is still held (after the app's traces are flushed), within the shutdown deadline. */
  async onApplicationShutdown(): Promise<void> {
    const end = Date.now() + this.options.export.shutdownTimeoutMs;
    // Held feedback waits for its traces' flush below: it is the shutdown that ends it, not its hold window.
    this.held.beginShutdown();
    if (this.held.size > 0) await this.tracer.forceFlush(end - Date.now()).catch(() => undefined);
    await this.held.drain(end - Date.now());
  }

  /**
   * The one place an assessment's free text passes before it is sent: the module's masking
   * rules (secrets, PII) apply to rationale and metadata, as they do to traces. Override to
   * rewrite them further.
   */
  protected maskFreeText(text: AssessmentFreeText): AssessmentFreeText {
    const masking = this.masking;
    if (masking === undefined || !masking.enabled) return text;
    const asText = (value: string, key: string): string => {
      const masked = masking.mask(value, { field: 'assessment', keyPath: [key] });
      return typeof masked === 'string' ? masked : JSON.stringify(masked);
    };
    const metadata =
      text.metadata === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(
              masking.mask(text.metadata, { field: 'assessment', keyPath: ['metadata'] }) as Record<
                string,
                unknown
              >,
            ).map(([key, value]) => [
              key,
              typeof value === 'string' ? value : JSON.stringify(value),
            ]),
          );
    return {
      rationale: text.rationale === undefined ? undefined : asText(text.rationale, 'rationale'),
      metadata,
    };
  }

  private mask(wire: WireAssessment): void {
    if (wire.rationale === undefined && wire.metadata === undefined) return;
    const masked = this.maskFreeText({ rationale: wire.rationale, metadata: wire.metadata });
    if (wire.rationale !== undefined) wire.rationale = masked.rationale;
    if (wire.metadata !== undefined) wire.metadata = masked.metadata;
  }

  private async create(build: () => WireAssessment): Promise<FeedbackResult> {
    const wire = this.checked(build);
    this.mask(wire);
    try {
      const assessment = await this.client.create(wire);
      this.counts.logged++;
      return { status: 'logged', assessment };
    } catch (error) {
      const failure = classifyFailure(error);
      const mayLand =
        this.options.feedback.holdUnknownTraces || this.tracer.recentTraceIds.has(wire.trace_id!);
      if (mayLand && (failure === 'trace_not_found' || failure === 'unavailable')) {
        return this.hold(wire, failure === 'unavailable');
      }
      throw this.failed(
        failure,
        error,
        { traceId: wire.trace_id!, assessmentId: wire.assessment_id! },
        true,
      );
    }
  }

  private async onCurrentTrace(
    build: (traceId: string) => WireAssessment,
  ): Promise<FeedbackResult> {
    const traceId = activeSpanRecord()?.traceId;
    if (traceId === undefined) return { status: 'skipped', reason: 'no recorded trace is active' };
    const wire = this.checked(() => build(traceId));
    this.mask(wire);
    // The trace is still open: it cannot be in MLflow yet.
    return this.hold(wire, false);
  }

  private hold(wire: WireAssessment, uncertain: boolean): FeedbackResult {
    if (!this.held.hold(wire, uncertain)) {
      const reason = this.held.isStopped() ? 'shutdown' : 'hold_full';
      this.counts.dropped[reason]++;
      throw new MlflowUnavailableException(
        reason === 'shutdown'
          ? 'The app is shutting down; feedback is no longer accepted'
          : `Feedback for traces not yet in MLflow is full (${this.options.feedback.maxHeld} held); try again later`,
      );
    }
    return { status: 'held', traceId: wire.trace_id!, assessmentId: wire.assessment_id! };
  }

  private async attemptHeld(item: HeldAssessment): Promise<AttemptOutcome> {
    const { wire } = item;
    try {
      // A create that timed out may still have been stored: look before sending it again.
      if (item.uncertain && (await this.exists(wire))) return 'delivered';
      await this.client.create(wire);
      return 'delivered';
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure === 'trace_not_found') return 'not_yet';
      if (failure === 'unavailable') {
        item.uncertain = true;
        return 'unavailable';
      }
      this.warnOnce(failure, `Held feedback ${wire.assessment_id} was refused: ${String(error)}`);
      return 'failed';
    }
  }

  private async exists(wire: WireAssessment): Promise<boolean> {
    try {
      await this.client.get(wire.trace_id!, wire.assessment_id!);
      return true;
    } catch (error) {
      if (classifyFailure(error) === 'assessment_not_found') return false;
      throw error;
    }
  }

  private onHeldEnd(item: HeldAssessment, end: HeldEnd): void {
    if (end === 'delivered') {
      this.counts.logged++;
      this.counts.loggedAfterHold++;
      return;
    }
    this.counts.dropped[end === 'failed' ? 'mlflow_error' : end]++;
    this.warnOnce(end, `Held feedback dropped (${end}); see FeedbackService.getStats()`);
  }

  private async call<T>(fn: () => Promise<T>, ref: AssessmentRef): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.failed(classifyFailure(error), error, ref, false);
    }
  }

  /** The HttpException for a failed request; failed creates are counted. */
  private failed(
    failure: AssessmentFailure,
    error: unknown,
    ref: AssessmentRef,
    count: boolean,
  ): Error {
    if (failure === 'unavailable' || failure === 'refused') {
      if (count)
        this.counts.dropped[failure === 'refused' ? 'mlflow_error' : 'mlflow_unavailable']++;
      this.warnOnce(failure, `Feedback request failed: ${String(error)}`);
    } else if (count) {
      this.counts.rejected++;
    }
    return failureException(failure, error, ref);
  }

  private checked<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof InvalidFeedbackException) this.counts.rejected++;
      throw error;
    }
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(message);
  }
}
