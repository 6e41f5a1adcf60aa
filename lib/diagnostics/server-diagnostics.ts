import { MlflowHttpClient, type MlflowConnection } from '../mlflow/mlflow-http-client';
import { MlflowHttpError } from '../mlflow/mlflow-http.error';
import { describeFetchFailure } from './describe-fetch-failure';

/**
 * A problem the startup check found: a sentence saying what to do (no final period), and what
 * becomes of traces until it is fixed: `queued` (no answer: they wait in the queue and are
 * retried) or `refused` (the server answers and refuses them: dropped at once as `rejected`).
 */
export interface ServerProblem {
  text: string;
  traces: 'queued' | 'refused';
}

/** What the startup check found. */
export interface ServerReport {
  version: string | undefined;
  /** `undefined`: could not tell (the server was not reachable or refused us). */
  otlp: boolean | undefined;
  problems: ServerProblem[];
  /** Shutdown (`stop`) cut the check short: nothing it found says anything about the server. */
  stopped?: boolean;
}

const VERSION = /^\d+\.\d+[\w.+-]*$/;

/**
 * Asks the server what it is, without sending any trace: `GET /version` (MLflow answers its
 * version as plain text), whether `POST /v1/traces` exists (OTLP span ingestion, MLflow 3.x),
 * and whether a configured experiment id exists. Never throws; never logs a response body.
 */
export async function diagnoseServer(
  connection: MlflowConnection,
  experimentId: string | undefined,
  stop?: AbortSignal,
): Promise<ServerReport> {
  const open = (to: MlflowConnection): MlflowHttpClient => clientUntil(to, stop);
  const client = open(connection);
  const report: ServerReport = { version: undefined, otlp: undefined, problems: [] };
  const uri = connection.trackingUri;
  const version = await readVersion(client);
  // The app shut down while the check was under way: its aborted request says nothing.
  if (stop?.aborted) return { ...report, stopped: true };
  if (version.kind === 'unreachable') {
    report.problems.push({
      text: `MLflow at ${uri} is not reachable yet (${version.cause})`,
      traces: 'queued',
    });
    return report;
  }
  if (version.kind !== 'mlflow') {
    const what =
      version.kind === 'html'
        ? 'answers with an HTML page, not MLflow'
        : `does not answer like an MLflow tracking server (GET /version: ${version.status})`;
    const hint = await originHint(connection, open);
    if (stop?.aborted) return { ...report, stopped: true };
    report.problems.push({
      text: `${uri} ${what}. Set trackingUri to the address \`mlflow server\` listens on${hint}`,
      traces: 'refused',
    });
    return report;
  }
  report.version = version.version;
  report.otlp = await hasOtlpIngestion(client, experimentId ?? '0');
  if (experimentId !== undefined) {
    const missing = await experimentProblem(client, experimentId);
    if (missing !== undefined) report.problems.push({ text: missing, traces: 'refused' });
  }
  if (stop?.aborted) return { ...report, problems: [], stopped: true };
  return report;
}

type VersionAnswer =
  | { kind: 'mlflow'; version: string }
  | { kind: 'html' }
  | { kind: 'other'; status: string }
  | { kind: 'unreachable'; cause: string };

async function readVersion(client: MlflowHttpClient): Promise<VersionAnswer> {
  try {
    const text = (await (await client.send('GET', '/version', undefined, {})).text()).trim();
    if (VERSION.test(text)) return { kind: 'mlflow', version: text };
    return text.startsWith('<') ? { kind: 'html' } : { kind: 'other', status: 'not a version' };
  } catch (error) {
    if (error instanceof MlflowHttpError) {
      return error.detail.trimStart().startsWith('<')
        ? { kind: 'html' }
        : { kind: 'other', status: `HTTP ${error.status}` };
    }
    return { kind: 'unreachable', cause: describeFetchFailure(error) };
  }
}

/** A client whose requests are aborted when `stop` fires (app shutdown: a hung server must not keep the process alive). */
function clientUntil(
  connection: MlflowConnection,
  stop: AbortSignal | undefined,
): MlflowHttpClient {
  const client = new MlflowHttpClient(connection);
  if (stop?.aborted) client.close();
  else stop?.addEventListener('abort', () => client.close(), { once: true });
  return client;
}

/** A URI with a path (a pasted UI link such as /experiments/1): is MLflow at the bare origin? */
async function originHint(
  connection: MlflowConnection,
  open: (to: MlflowConnection) => MlflowHttpClient,
): Promise<string> {
  const origin = new URL(connection.trackingUri).origin;
  if (origin === connection.trackingUri) return '';
  const answer = await readVersion(open({ ...connection, trackingUri: origin }));
  return answer.kind === 'mlflow'
    ? `: MLflow ${answer.version} answers at ${origin}, so use trackingUri: '${origin}' (without the path)`
    : ` (without a path such as ${new URL(connection.trackingUri).pathname}, unless MLflow is served under it)`;
}

async function hasOtlpIngestion(
  client: MlflowHttpClient,
  experimentId: string,
): Promise<boolean | undefined> {
  try {
    // An empty request: MLflow refuses it (no spans) without storing anything.
    await client.send('POST', '/v1/traces', Buffer.alloc(0), {
      'content-type': 'application/x-protobuf',
      'x-mlflow-experiment-id': experimentId,
    });
    return true;
  } catch (error) {
    if (!(error instanceof MlflowHttpError)) return undefined;
    if ([404, 405, 501].includes(error.status)) return false;
    return error.status === 401 || error.status === 403 ? undefined : true;
  }
}

async function experimentProblem(
  client: MlflowHttpClient,
  id: string,
): Promise<string | undefined> {
  try {
    const found = await client.json<{ experiment: { lifecycle_stage?: string } }>(
      'GET',
      `/api/2.0/mlflow/experiments/get?experiment_id=${encodeURIComponent(id)}`,
    );
    if (found.experiment.lifecycle_stage === 'deleted')
      return `experiment ${id} is deleted on this server: restore it, or set another experimentId or experimentName`;
    return undefined;
  } catch (error) {
    if (error instanceof MlflowHttpError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
      return `experiment ${id} does not exist on this server, so every trace will be rejected: create it, fix experimentId (env MLFLOW_EXPERIMENT_ID), or set experimentName instead (created when missing)`;
    }
    return undefined;
  }
}
