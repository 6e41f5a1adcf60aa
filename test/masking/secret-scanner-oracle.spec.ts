import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { inspect } from 'node:util';
import { MaskingService } from '../../lib';
import {
  ALNUM,
  BASE64,
  BASE64URL,
  DIGITS,
  HEX,
  LETTERS,
  LOWER,
  SeededRandom,
  UPPER,
} from './fixtures/seeded-random';

// A differential test with secretlint (recommended preset) as the oracle: a corpus of realistic
// provider tokens in the places they turn up in traces (prose, JSON, query strings, .env files,
// logs, stack traces, util.inspect output, Python dicts, YAML…). Whatever secretlint flags in a
// text must be gone once MaskingService has masked that text, both as a plain string and as a
// value inside an object. A generated text secretlint does not flag is not part of the oracle
// set; the coverage tests at the bottom keep that set from shrinking silently.

const SEED = 20240514;
const masking = new MaskingService({ pseudonymKey: 'oracle' });

/** One kind of secret: a provider's token shape and the names it goes by in config. */
interface SecretKind {
  /** Provider and token type, as failures name them. */
  provider: string;
  make: (rng: SeededRandom) => string;
  /** `.env` variable name; the JSON/YAML key and JS property are derived from it. */
  env: string;
  /** Documents of its own in place of the generic contexts (file-type specific rules). */
  documents?: (token: string, rng: SeededRandom) => Document[];
  /** Documents of its own on top of the generic contexts. */
  extra?: (token: string, rng: SeededRandom) => Document[];
}

interface Document {
  context: string;
  text: string;
  /** What secretlint is told the file is (some rules only run on `.json`, `.npmrc`…). */
  filePath?: string;
}

// ---------------------------------------------------------------------------------------------
// Token shapes, one per finding type of the preset (read off each rule's regex in
// node_modules/@secretlint/secretlint-rule-preset-recommend/module/index.js).

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const UPPER_DIGITS = UPPER + DIGITS;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const b64url = (text: string) => Buffer.from(text).toString('base64url');
/** Random characters from `alphabet`, the last one alphanumeric (several rules end on `\b`). */
const body = (rng: SeededRandom, alphabet: string, length: number) =>
  rng.chars(alphabet, length - 1) + rng.chars(ALNUM, 1);

function pem(rng: SeededRandom, label: string, magic: string, length: number, width = 64) {
  const base64 = (magic + rng.chars(BASE64, length - magic.length - 2) + '==').match(
    new RegExp(`.{1,${width}}`, 'g'),
  )!;
  return `-----BEGIN ${label}-----\n${base64.join('\n')}\n-----END ${label}-----`;
}
const pkcs8 = (rng: SeededRandom) =>
  pem(rng, 'PRIVATE KEY', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ', 1624);

function password(rng: SeededRandom, alphabet = ALNUM, length = rng.int(14, 24)) {
  return rng.chars(LETTERS, 1) + rng.chars(alphabet, length - 2) + rng.chars(DIGITS, 1);
}
const dbUser = (rng: SeededRandom) =>
  rng.pick(['app_rw', 'billing_svc', 'reporting', 'etl_loader', 'orders_api']);

function gcpServiceAccount(rng: SeededRandom) {
  const project = `acme-${rng.pick(['billing', 'ml', 'search'])}-prod-${rng.digits(4)}`;
  const account = `${rng.pick(['exporter', 'trainer', 'indexer'])}@${project}.iam.gserviceaccount.com`;
  return {
    type: 'service_account',
    project_id: project,
    private_key_id: rng.chars(HEX, 40),
    private_key: pkcs8(rng) + '\n',
    client_email: account,
    client_id: '1' + rng.digits(20),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(account)}`,
    universe_domain: 'googleapis.com',
  };
}

function onePasswordServiceAccount(rng: SeededRandom) {
  const json = JSON.stringify({
    email: `${rng.chars(LOWER + DIGITS, 13)}@1passwordserviceaccounts.com`,
    muk: {
      alg: 'A256GCM',
      ext: true,
      k: rng.chars(BASE64URL, 43),
      key_ops: ['encrypt', 'decrypt'],
      kty: 'oct',
      kid: 'mp',
    },
    secretKey: `A3-${[6, 6, 5, 5, 5, 5].map((n) => rng.chars(UPPER_DIGITS, n)).join('-')}`,
    srpX: rng.chars(HEX, 64),
    signInAddress: 'acme-corp.1password.com',
    userAuth: {
      method: 'SRPg-4096',
      alg: 'PBES2g-HS256',
      iterations: 650000,
      salt: rng.chars(BASE64URL, 22),
    },
  });
  // Padded so that the base64 ends in `fQ==` (a lone `}`), as the rule expects.
  const padding = ' '.repeat((1 - (json.length % 3) + 3) % 3);
  return `ops_${b64('{' + padding + json.slice(1))}`;
}

const kinds: SecretKind[] = [
  {
    provider: 'AWS access key id (AKIA)',
    make: (rng) => 'AKIA' + rng.chars(B32, 16),
    env: 'AWS_ACCESS_KEY_ID',
  },
  {
    provider: 'AWS temporary access key id (ASIA)',
    make: (rng) => 'ASIA' + rng.chars(B32, 16),
    env: 'AWS_ACCESS_KEY_ID',
  },
  {
    provider: 'AWS other principal ids (AROA/AIDA/AGPA/AIPA/ANPA/ANVA/A3T…)',
    make: (rng) =>
      rng.pick(['AROA', 'AIDA', 'AGPA', 'AIPA', 'ANPA', 'ANVA', 'A3TX']) + rng.chars(B32, 16),
    env: 'AWS_ROLE_ID',
  },
  {
    provider: 'AWS secret access key',
    make: (rng) => body(rng, BASE64, 40),
    env: 'AWS_SECRET_ACCESS_KEY',
    extra: (token, rng) => [
      {
        context: '~/.aws/credentials',
        text: `[default]\naws_access_key_id = AKIA${rng.chars(B32, 16)}\naws_secret_access_key = ${token}\nregion = eu-west-1\n`,
      },
      {
        context: 'Python call',
        text: `s3 = boto3.client("s3", aws_access_key_id="AKIA${rng.chars(B32, 16)}", aws_secret_access_key="${token}")`,
      },
      {
        context: 'log line, key=value',
        text: `2024-05-14 09:12:44,123 DEBUG botocore.credentials loaded SecretAccessKey=${token} from env`,
      },
    ],
  },
  {
    provider: 'GCP service account key (JSON)',
    make: (rng) => JSON.stringify(gcpServiceAccount(rng)),
    env: 'GOOGLE_CREDENTIALS',
    documents: (token) => [
      {
        context: 'key file, pretty',
        text: JSON.stringify(JSON.parse(token), null, 2),
        filePath: '/app/keys/sa.json',
      },
      { context: 'key file, compact', text: token, filePath: '/app/keys/sa.json' },
      {
        context: 'JSON, nested',
        text: JSON.stringify({ job: 'export', credentials: JSON.parse(token) }),
      },
      { context: 'log line', text: `2024-05-14T09:12:44.123Z INFO loaded credentials ${token}` },
      {
        context: '.env block',
        text: `NODE_ENV=production\nGOOGLE_CREDENTIALS='${token}'\nPORT=8080\n`,
      },
      {
        context: 'prose',
        text: `Here is the key file I downloaded:\n${JSON.stringify(JSON.parse(token), null, 2)}\nWhy does auth fail?`,
      },
    ],
  },
  {
    provider: 'private key (PKCS#8 PEM)',
    make: pkcs8,
    env: 'PRIVATE_KEY',
  },
  {
    provider: 'private key (RSA PEM)',
    make: (rng) => pem(rng, 'RSA PRIVATE KEY', 'MIIEowIBAAKCAQEA', 1588),
    env: 'JWT_PRIVATE_KEY',
  },
  {
    provider: 'private key (EC P-384 PEM)',
    make: (rng) => pem(rng, 'EC PRIVATE KEY', 'MIGkAgEBBDD', 220),
    env: 'SIGNING_KEY',
  },
  {
    provider: 'private key (OpenSSH)',
    make: (rng) =>
      pem(
        rng,
        'OPENSSH PRIVATE KEY',
        'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
        400,
        70,
      ),
    env: 'DEPLOY_KEY',
  },
  {
    provider: 'private key (PEM on one line, \\n escapes)',
    make: (rng) => pkcs8(rng).replace(/\n/g, '\\n'),
    env: 'PRIVATE_KEY',
  },
  {
    provider: 'npm access token (npm_)',
    make: (rng) => 'npm_' + rng.chars(ALNUM, 36),
    env: 'NPM_TOKEN',
    extra: (token) => [
      {
        context: '.npmrc',
        text: `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${token}\nalways-auth=true\n`,
        filePath: '/home/ci/.npmrc',
      },
    ],
  },
  {
    provider: 'npm legacy _authToken (.npmrc)',
    make: (rng) => [8, 4, 4, 4, 12].map((n) => rng.chars(HEX, n)).join('-'),
    env: 'NPM_TOKEN',
    documents: (token) => [
      {
        context: '.npmrc',
        text: `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${token}\n`,
        filePath: '/home/ci/.npmrc',
      },
      {
        context: '.npmrc, scoped registry',
        text: `@acme:registry=https://npm.acme-corp.io/\n//npm.acme-corp.io/:_authToken=${token}\nstrict-ssl=true\n`,
        filePath: '/app/.npmrc',
      },
    ],
  },
  {
    provider: 'GitHub OAuth token in a package.json git URL (x-oauth-basic)',
    make: (rng) => rng.chars(HEX, 40),
    env: 'GITHUB_TOKEN',
    documents: (token) => [
      {
        context: 'package.json',
        text: JSON.stringify(
          {
            name: '@acme/billing',
            version: '2.4.1',
            dependencies: {
              '@acme/private-lib': `git+https://${token}:x-oauth-basic@github.com/acme/private-lib.git#v2.1.0`,
            },
          },
          null,
          2,
        ),
        filePath: '/app/package.json',
      },
    ],
  },
  {
    provider: 'Slack bot token (xoxb)',
    make: (rng) =>
      `xoxb-${rng.int(1, 9)}${rng.digits(11)}-${rng.int(1, 9)}${rng.digits(12)}-${rng.chars(ALNUM, 24)}`,
    env: 'SLACK_BOT_TOKEN',
  },
  {
    provider: 'Slack user token (xoxp)',
    make: (rng) =>
      `xoxp-${rng.int(1, 9)}${rng.digits(11)}-${rng.int(1, 9)}${rng.digits(11)}-${rng.int(1, 9)}${rng.digits(12)}-${rng.chars(HEX, 32)}`,
    env: 'SLACK_USER_TOKEN',
  },
  {
    provider: 'Slack app-level token (xapp)',
    make: (rng) =>
      `xapp-1-A${rng.chars(UPPER_DIGITS, 10)}-${rng.int(1, 9)}${rng.digits(12)}-${rng.chars(HEX, 64)}`,
    env: 'SLACK_APP_TOKEN',
  },
  {
    provider: 'Slack workspace/refresh tokens (xoxa-2/xoxr/xoxo)',
    make: (rng) =>
      `${rng.pick(['xoxa-2', 'xoxr', 'xoxo'])}-${rng.int(1, 9)}${rng.digits(11)}-${rng.int(1, 9)}${rng.digits(11)}-${rng.chars(ALNUM, 32)}`,
    env: 'SLACK_REFRESH_TOKEN',
  },
  {
    provider: 'Slack incoming webhook URL',
    make: (rng) =>
      `https://hooks.slack.com/services/T${rng.chars(UPPER_DIGITS, 8)}/B${rng.chars(UPPER_DIGITS, 10)}/${rng.chars(ALNUM, 24)}`,
    env: 'SLACK_WEBHOOK_URL',
  },
  {
    provider: 'SendGrid API key (SG.)',
    make: (rng) => `SG.${rng.chars(ALNUM, 22)}.${rng.chars(ALNUM, 43)}`,
    env: 'SENDGRID_API_KEY',
  },
  ...['shpat', 'shpca', 'shppa', 'shpss'].map((prefix): SecretKind => ({
    provider: `Shopify token (${prefix}_)`,
    make: (rng) => `${prefix}_${rng.chars(HEX, 32)}`,
    env: prefix === 'shpss' ? 'SHOPIFY_API_SECRET' : 'SHOPIFY_ACCESS_TOKEN',
  })),
  ...['sk_live', 'sk_test', 'rk_live', 'rk_test'].map((prefix): SecretKind => ({
    provider: `Stripe key (${prefix}_)`,
    make: (rng) => `${prefix}_51${rng.chars(ALNUM, rng.pick([22, 32, 97]))}`,
    env: prefix.startsWith('sk') ? 'STRIPE_SECRET_KEY' : 'STRIPE_RESTRICTED_KEY',
  })),
  ...['ghp', 'gho', 'ghu', 'ghs', 'ghr'].map((prefix): SecretKind => ({
    provider: `GitHub token (${prefix}_)`,
    make: (rng) => `${prefix}_${rng.chars(ALNUM, 36)}`,
    env: 'GITHUB_TOKEN',
  })),
  {
    provider: 'GitHub fine-grained PAT (github_pat_)',
    make: (rng) => `github_pat_11${rng.chars(UPPER_DIGITS, 20)}_${rng.chars(ALNUM, 59)}`,
    env: 'GH_TOKEN',
  },
  {
    provider: 'GitHub App installation token (ghs_<id>_<JWT>)',
    make: (rng) => {
      const payload = b64url(
        JSON.stringify({
          iat: 1715677964,
          exp: 1715681564,
          iss: rng.digits(7),
          jti: rng.chars(HEX, 32),
        }),
      );
      return `ghs_${rng.int(1, 9)}${rng.digits(6)}_eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${payload}.${body(rng, BASE64URL, 342)}`;
    },
    env: 'GITHUB_TOKEN',
  },
  {
    provider: 'GitLab personal access token (glpat-)',
    make: (rng) => `glpat-${body(rng, BASE64URL, 20)}`,
    env: 'GITLAB_TOKEN',
  },
  {
    provider: 'Grafana Cloud API token (glc_)',
    make: (rng) =>
      'glc_' +
      b64(
        JSON.stringify({
          o: rng.digits(7),
          n: `stack-${rng.digits(6)}-hm-read-grafana-agent`,
          k: rng.chars(ALNUM, 24),
          m: { r: 'prod-eu-west-2' },
        }),
      ),
    env: 'GRAFANA_CLOUD_TOKEN',
  },
  {
    provider: 'Grafana service account token (glsa_)',
    make: (rng) => `glsa_${rng.chars(ALNUM, 32)}_${rng.chars(HEX, 8)}`,
    env: 'GRAFANA_SA_TOKEN',
  },
  ...['proj', 'svcacct', 'admin'].map((kind): SecretKind => ({
    provider: `OpenAI key (sk-${kind}-)`,
    make: (rng) => {
      const half = rng.pick([74, 58]);
      return `sk-${kind}-${body(rng, BASE64URL, half)}T3BlbkFJ${body(rng, BASE64URL, half)}`;
    },
    env: kind === 'admin' ? 'OPENAI_ADMIN_KEY' : 'OPENAI_API_KEY',
  })),
  {
    provider: 'OpenAI legacy key (sk-…T3BlbkFJ…)',
    make: (rng) => `sk-${rng.chars(ALNUM, 20)}T3BlbkFJ${rng.chars(ALNUM, 20)}`,
    env: 'OPENAI_API_KEY',
  },
  {
    provider: 'Anthropic API key (sk-ant-api03-)',
    make: (rng) => `sk-ant-api03-${rng.chars(BASE64URL, 93)}AA`,
    env: 'ANTHROPIC_API_KEY',
  },
  {
    provider: 'Groq API key (gsk_)',
    make: (rng) => `gsk_${rng.chars(ALNUM, 52)}`,
    env: 'GROQ_API_KEY',
  },
  {
    provider: 'Hugging Face token (hf_)',
    make: (rng) => `hf_${rng.chars(LETTERS, 34)}`,
    env: 'HF_TOKEN',
  },
  {
    provider: 'Linear API key (lin_api_)',
    make: (rng) => `lin_api_${rng.chars(ALNUM, 40)}`,
    env: 'LINEAR_API_KEY',
  },
  {
    provider: 'Notion integration token (ntn_)',
    make: (rng) => `ntn_${rng.digits(11)}${rng.chars(ALNUM, 35)}`,
    env: 'NOTION_TOKEN',
  },
  {
    provider: '1Password service account token (ops_)',
    make: onePasswordServiceAccount,
    env: 'OP_SERVICE_ACCOUNT_TOKEN',
  },
  {
    provider: 'PostgreSQL connection string with password',
    make: (rng) =>
      `${rng.pick(['postgres', 'postgresql'])}://${dbUser(rng)}:${password(rng, ALNUM + '-_.~!*')}@db-prod-${rng.int(1, 4)}.c${rng.chars(LOWER + DIGITS, 10)}.eu-west-1.rds.amazonaws.com:5432/billing?sslmode=require`,
    env: 'DATABASE_URL',
  },
  {
    provider: 'MySQL connection string with password',
    make: (rng) =>
      `${rng.pick(['mysql', 'jdbc:mysql', 'mysqlx'])}://${dbUser(rng)}:${password(rng, ALNUM + '-_.~!*')}@mysql-${rng.int(1, 4)}.internal.acme-corp.net:3306/orders`,
    env: 'MYSQL_URL',
  },
  {
    provider: 'MongoDB connection string with password',
    make: (rng) =>
      rng.next() < 0.5
        ? `mongodb+srv://${dbUser(rng)}:${password(rng)}@cluster0.${rng.chars(LOWER + DIGITS, 5)}.mongodb.net/app?retryWrites=true&w=majority`
        : `mongodb://${dbUser(rng)}:${password(rng)}@mongo-1.internal.acme-corp.net:27017,mongo-2.internal.acme-corp.net:27017/app?replicaSet=rs0`,
    env: 'MONGODB_URI',
  },
  {
    provider: 'basic auth credentials in a URL',
    make: (rng) =>
      `${rng.pick(['https', 'http', 'ftp'])}://${rng.pick(['deploy', 'ci-bot', 'svc_mirror'])}:${password(rng, ALNUM + '-_')}@${rng.pick(['registry.acme-corp.io', 'files.acme-corp.net', 'nexus.internal.acme.dev'])}/v2/`,
    env: 'REGISTRY_URL',
  },
  ...[
    ['hvs', 95],
    ['hvb', 180],
    ['hvr', 95],
  ].map(([prefix, length]): SecretKind => ({
    provider: `HashiCorp Vault token (${prefix}.)`,
    make: (rng) => `${prefix}.${body(rng, BASE64URL, length as number)}`,
    env: 'VAULT_TOKEN',
  })),
  ...['vcp', 'vci', 'vca', 'vcr', 'vck'].map((prefix): SecretKind => ({
    provider: `Vercel token (${prefix}_)`,
    make: (rng) => `${prefix}_${rng.chars(ALNUM, rng.pick([24, 40, 56]))}`,
    env: prefix === 'vck' ? 'AI_GATEWAY_API_KEY' : 'VERCEL_TOKEN',
  })),
  {
    provider: 'Databricks personal access token (dapi)',
    make: (rng) => `dapi${rng.chars(HEX, 32)}${rng.pick(['', '-2'])}`,
    env: 'DATABRICKS_TOKEN',
  },
  {
    provider: 'Docker personal access token (dckr_pat_)',
    make: (rng) => `dckr_pat_${body(rng, BASE64URL, 27)}`,
    env: 'DOCKERHUB_TOKEN',
  },
  {
    provider: 'Figma personal access token (figd_)',
    make: (rng) => `figd_${body(rng, BASE64URL, 40)}`,
    env: 'FIGMA_TOKEN',
  },
  ...['cfk', 'cfut', 'cfat'].map((prefix): SecretKind => ({
    provider: `Cloudflare token (${prefix}_)`,
    make: (rng) => `${prefix}_${rng.chars(ALNUM, 40)}${rng.chars(HEX, 8)}`,
    env: prefix === 'cfk' ? 'CLOUDFLARE_API_KEY' : 'CLOUDFLARE_API_TOKEN',
  })),
  ...['api', 'auth', 'client', 'scim', 'webhook', 'device'].map((type): SecretKind => ({
    provider: `Tailscale key (tskey-${type}-)`,
    make: (rng) => `tskey-${type}-${rng.chars(ALNUM, 12)}CNTRL-${rng.chars(ALNUM, 33)}`,
    env: 'TS_AUTHKEY',
  })),
];

// ---------------------------------------------------------------------------------------------
// The places a token turns up in, as text. `key`/`prop` are the kind's names in config files and
// code (`aws_secret_access_key`, `awsSecretAccessKey`); several contexts use neutral names instead,
// so that only the token's own shape can give it away.

interface Names {
  env: string;
  key: string;
  prop: string;
}
const oneLine = (token: string) => token.replace(/\n/g, '\\n');
const indented = (token: string, spaces: number) =>
  token.includes('\n')
    ? `|\n${token
        .split('\n')
        .map((line) => ' '.repeat(spaces) + line)
        .join('\n')}`
    : token;

const CONTEXTS: Record<string, (token: string, names: Names) => string> = {
  prose: (t) =>
    `I pasted ${t} into the config yesterday and now every request fails, can you check it?`,
  'prose, end of sentence': (t) => `The credential that leaked in the incident is ${t}.`,
  markdown: (t) => `Set the header to \`${t}\` and retry the call.`,
  'JSON, neutral key': (t) => JSON.stringify({ id: 'req_8812', note: t, retries: 2 }),
  'JSON, named key': (t, n) => JSON.stringify({ service: 'billing', [n.key]: t }),
  'JSON, nested and pretty': (t, n) =>
    JSON.stringify(
      { upstream: { url: 'https://api.acme-corp.io', auth: { [n.prop]: t } } },
      null,
      2,
    ),
  'query string': (t) =>
    `GET https://api.acme-corp.io/v2/export?format=csv&key=${encodeURIComponent(t)}&page=2`,
  '.env block': (t, n) =>
    `# billing service\nNODE_ENV=production\nPORT=8080\n${n.env}=${oneLine(t)}\nLOG_LEVEL=info\n`,
  'shell export': (t, n) => `export ${n.env}="${t}"`,
  'log line': (t) =>
    `2024-05-14T09:12:44.123Z DEBUG [UpstreamClient] retrying with credential ${oneLine(t)} (attempt 2/3)`,
  logfmt: (t) =>
    `level=warn ts=2024-05-14T09:12:44Z msg="upstream rejected key" key=${oneLine(t)} status=401`,
  'error message': (t) => `Error: 401 Unauthorized: credential ${t} has been revoked`,
  'stack trace': (t) =>
    `UnauthorizedException: rejected credential ${t}\n` +
    '    at AuthGuard.canActivate (/app/dist/auth/auth.guard.js:41:13)\n' +
    '    at async GuardsConsumer.tryActivate (/app/node_modules/@nestjs/core/guards/guards-consumer.js:15:34)',
  'util.inspect, named key': (t, n) => inspect({ service: 'billing', [n.prop]: t, retries: 3 }),
  'util.inspect, neutral key': (t) => inspect({ id: 42, value: t }),
  'Python dict': (t, n) => `{'service': 'billing', '${n.key}': '${oneLine(t)}', 'timeout': 30}`,
  YAML: (t, n) =>
    `billing:\n  upstream:\n    url: https://api.acme-corp.io\n    ${n.key}: ${indented(t, 6)}\n  replicas: 2\n`,
  'HTTP header': (t) => `curl -s -H "X-Api-Key: ${oneLine(t)}" https://api.acme-corp.io/v1/me`,
  CSV: (t, n) => `name,environment,${n.key}\nci-bot,production,"${t}"\n`,
  XML: (t, n) => `<credentials><${n.prop}>${t}</${n.prop}></credentials>`,
};

const camel = (env: string) =>
  env.toLowerCase().replace(/_([a-z0-9])/g, (_match, char: string) => char.toUpperCase());

interface Case extends Required<Document> {
  id: string;
  provider: string;
}

function buildCorpus(): Case[] {
  const rng = new SeededRandom(SEED);
  const cases: Case[] = [];
  for (const kind of kinds) {
    const names = { env: kind.env, key: kind.env.toLowerCase(), prop: camel(kind.env) };
    const documents: Document[] = kind.documents
      ? kind.documents(kind.make(rng), rng)
      : Object.entries(CONTEXTS).map(([context, render]) => ({
          context,
          text: render(kind.make(rng), names),
        }));
    if (kind.extra) documents.push(...kind.extra(kind.make(rng), rng));
    for (const document of documents) {
      cases.push({
        id: String(cases.length),
        provider: kind.provider,
        filePath: '/corpus.txt',
        ...document,
      });
    }
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// The oracle: secretlint, in a Node process of its own (see fixtures/secretlint-oracle.cjs).

interface Finding {
  ruleId: string;
  messageId: string;
  range: [number, number];
  data?: Record<string, unknown>;
  message: string;
}
interface OracleRun {
  rules: { id: string; messageIds: string[] }[];
  results: { id: string; messages: Finding[] }[];
}

function runSecretlint(cases: Case[]): OracleRun {
  const output = execFileSync(
    process.execPath,
    [path.join(__dirname, 'fixtures', 'secretlint-oracle.cjs')],
    {
      input: JSON.stringify(
        cases.map(({ id, text, filePath }) => ({ id, content: text, filePath })),
      ),
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
    },
  );
  return JSON.parse(output) as OracleRun;
}

/**
 * The text secretlint found. Usually the flagged range; but the AWS secret access key rule and
 * npm's `_authToken`/`x-oauth-basic` rules report a range that starts where the whole match
 * (key name included) starts and is as long as the captured secret, so it covers the name and
 * half the secret. Those rules (all rules, in fact) name the secret in the message data too:
 * that text is taken when the document holds it.
 */
function flaggedText(text: string, finding: Finding): string {
  for (const value of Object.values(finding.data ?? {})) {
    if (typeof value === 'string' && value.length >= 8 && text.includes(value)) return value;
  }
  return text.slice(finding.range[0], finding.range[1]);
}

// Public, fixed parts of a token: provider prefixes, which a masker may keep as a hint.
const PUBLIC_PREFIX =
  /^(?:sk-ant-api0\d-|sk-(?:proj|svcacct|admin)-|sk-|[sr]k_(?:live|test)_|github_pat_|gh[pousr]_(?:\d+_)?|glpat-|glc_|glsa_|ops_|SG\.|shp(?:at|ca|pa|ss)_|gsk_|hf_|lin_api_|ntn_|hv[sbr]\.|vc[piark]_|dapi|dckr_pat_|figd_|cf(?:k|ut|at)_|tskey-[a-z]+-|xox[a-z]-(?:\d-)?|xapp-\d-|npm_|AKIA|ASIA|AROA|AIDA|AGPA|AIPA|ANPA|ANVA|A3T[A-Z0-9])/;

/**
 * The high-entropy part(s) of a flagged secret: the token without its provider prefix; the
 * password of a URL with credentials (the token, for GitHub's `<token>:x-oauth-basic@`); the
 * secret path segment of a Slack webhook; the base64 lines of a PEM block (also inside a GCP
 * key file, where secretlint flags the whole document).
 */
function secretParts(flagged: string): string[] {
  const pemBody = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/.exec(flagged);
  if (pemBody) return pemBody[1].split(/\s+|\\[nr]/).filter((line) => line.length > 0);
  const webhook = /hooks\.slack\.com\/services\/[^/]+\/[^/]+\/([A-Za-z0-9]+)/i.exec(flagged);
  if (webhook) return [webhook[1]];
  const credentials = /^[a-z][a-z0-9+.:-]*:\/\/([^:/\s@]+):([^@/\s]+)@/i.exec(flagged);
  if (credentials) return [credentials[2] === 'x-oauth-basic' ? credentials[1] : credentials[2]];
  return [flagged.replace(PUBLIC_PREFIX, '')];
}

// A masked text leaks a flagged secret when it still holds the flagged text, or any 12-character
// slice of the secret's high-entropy part (the whole part when shorter). 12 characters of a
// random token are 60+ bits: no masked text holds one by chance, yet a masker that cuts only the
// prefix (`sk-proj-`), stops at a `-`, `.` or `/` inside the token, or keeps the tail of a key is
// caught. Slices never span a PEM line break, so a kept line is found however it is re-wrapped.
const SLICE = 12;

function leakIn(masked: string, flagged: string): string | undefined {
  if (masked.includes(flagged)) return flagged;
  for (const part of secretParts(flagged)) {
    const width = Math.min(SLICE, part.length);
    for (let i = 0; i + width <= part.length; i++) {
      const slice = part.slice(i, i + width);
      if (masked.includes(slice)) return slice;
    }
  }
  return undefined;
}

const show = (text: string, max = 90) => {
  const flat = JSON.stringify(text).slice(1, -1);
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
};
function around(text: string, slice: string): string {
  const at = text.indexOf(slice);
  const start = Math.max(0, at - 30);
  return `${start > 0 ? '…' : ''}${show(text.slice(start, at + slice.length + 30), 120)}`;
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const FORMS = {
  text: (text: string) => asText(masking.mask(text)),
  'object value': (text: string) =>
    asText((masking.mask({ note: text }) as { note: unknown }).note),
};

/** What of a case's flagged secrets survives masking, one line per leak. */
function leaksOf(testCase: Case, findings: Finding[]): string[] {
  const lines: string[] = [];
  for (const [form, maskWith] of Object.entries(FORMS)) {
    const masked = maskWith(testCase.text);
    for (const finding of findings) {
      const flagged = flaggedText(testCase.text, finding);
      const leak = leakIn(masked, flagged);
      if (leak === undefined) continue;
      lines.push(
        `${testCase.context} [${form}] ${finding.messageId}: kept "${show(leak, 40)}" in ${around(masked, leak)}`,
      );
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------

const corpus = buildCorpus();
const oracle = runSecretlint(corpus);
const findingsById = new Map(oracle.results.map(({ id, messages }) => [id, messages]));
/** The oracle set: generated cases secretlint flags, with what it flags. */
const flaggedCases = corpus
  .map((testCase) => ({
    testCase,
    findings: (findingsById.get(testCase.id) ?? []).filter(
      (finding) => finding.ruleId !== '@secretlint/secretlint-rule-filter-comments',
    ),
  }))
  .filter(({ findings }) => findings.length > 0);

describe('secrets secretlint finds are gone after masking', () => {
  it.each(kinds.map((kind) => [kind.provider]))(
    '%s: no flagged secret (nor a 12-character slice of it) survives, as text or object value',
    (provider) => {
      const cases = flaggedCases.filter(({ testCase }) => testCase.provider === provider);
      const leaks = cases.flatMap(({ testCase, findings }) => leaksOf(testCase, findings));
      expect(leaks).toEqual([]);
    },
  );
});

describe('the oracle set', () => {
  // Finding types the corpus does not generate, and why.
  const NOT_GENERATED: Record<string, string> = {
    PrivateKeyP12: 'GCP .p12 key files are binary, never trace text',
    AWSAccountID: 'an AWS account number is an identifier, not a credential',
    IGNORE_MESSAGE: 'secretlint-disable comments (the filter-comments rule) find nothing',
  };

  it('covers every detector rule of the preset', () => {
    const detectors = oracle.rules
      .map((rule) => rule.id)
      .filter((id) => id !== '@secretlint/secretlint-rule-filter-comments');
    const covered = new Set(flaggedCases.flatMap(({ findings }) => findings.map((f) => f.ruleId)));
    expect(detectors.length).toBeGreaterThanOrEqual(27);
    expect(detectors.filter((id) => !covered.has(id))).toEqual([]);
  });

  it('covers every kind of finding the preset reports on text', () => {
    const expected = oracle.rules
      .flatMap((rule) => rule.messageIds)
      .filter((id) => !(id in NOT_GENERATED));
    const covered = new Set(
      flaggedCases.flatMap(({ findings }) => findings.map((f) => f.messageId)),
    );
    expect(expected.filter((id) => !covered.has(id))).toEqual([]);
  });

  it('holds every generated provider, each in several contexts', () => {
    const contextsOf = (provider: string) =>
      new Set(
        flaggedCases
          .filter(({ testCase }) => testCase.provider === provider)
          .map(({ testCase }) => testCase.context),
      ).size;
    const thin = kinds
      .filter((kind) => contextsOf(kind.provider) < (kind.documents ? 1 : 6))
      .map((kind) => `${kind.provider}: ${contextsOf(kind.provider)} contexts`);
    expect(thin).toEqual([]);
  });

  it('is deterministic: the same seed gives the same corpus', () => {
    expect(buildCorpus()).toEqual(corpus);
  });
});
