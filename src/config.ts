import { isIP } from 'node:net';
import { z } from 'zod';

/** Raised when the environment does not describe a runnable portal; its message is one line per setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_SESSION_SECRET = 'development-only-session-secret-change-me';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = z.url({ message: 'must be an absolute URL' });
const positiveInt = z.coerce
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .positive('must be positive');

const envSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], { message: 'must be development, test or production' })
    .default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535).default(3000),
  PUBLIC_URL: url.optional(),
  TRUST_PROXY: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATABASE_POOL_MAX: positiveInt.default(10),
  EMBEDDED_PG_DIR: z.string().default('./data/postgres'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  DATABASE_WAIT_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(0).max(600).default(10),
  SEED_DEMO_DATA: bool.optional(),

  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEFAULT_SESSION_SECRET),
  SESSION_IDLE_MINUTES: positiveInt.default(30),
  SESSION_MAX_HOURS: positiveInt.default(12),
  COOKIE_SECURE: bool.optional(),

  LOGIN_RATE_LIMIT_PER_MINUTE: positiveInt.default(30),
  API_RATE_LIMIT_PER_MINUTE: positiveInt.default(600),

  SAML_SP_ENTITY_ID: z.string().min(1).optional(),
  SAML_IDP_METADATA: z.string().min(1).optional(),
  SAML_IDP_METADATA_CERT: z.string().min(1).optional(),
  SAML_IDP_ENTITY_ID: z.string().min(1).optional(),
  SAML_IDP_SSO_URL: url.optional(),
  SAML_IDP_CERT: z.string().min(1).optional(),
  SAML_IDP_SLO_URL: url.optional(),
  SAML_SP_KEY: z.string().min(1).optional(),
  SAML_SP_CERT: z.string().min(1).optional(),
  SAML_ATTR_INSZ: z.string().min(1).default('egovNRN'),
  SAML_ATTR_GIVEN_NAME: z.string().min(1).default('givenName'),
  SAML_ATTR_SURNAME: z.string().min(1).default('surname'),
  SAML_ATTR_EMAIL: z.string().min(1).default('mail'),
  SAML_INSZ_FROM_NAMEID: bool.default(false),
  SAML_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(60),

  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  SMTP_MAX_CONNECTIONS: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(50, 'must be at most 50')
    .default(5),
  MAIL_FROM: z.string().min(3).default('WSE-loket <noreply@wse-loket.localhost>'),
  DATA_DIR: z.string().default('./data'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

/** Every setting the portal reads from its environment (deploy/kubernetes is checked against this list). */
export const settingNames = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];

export type Env = z.infer<typeof envSchema>;

export interface DatabaseConfig {
  url?: string;
  poolMax: number;
  embeddedDir: string;
  embeddedPort: number;
  /** How long start-up keeps retrying a database that does not answer yet (Compose, Kubernetes). */
  waitSeconds: number;
}

export interface Config {
  env: Env['NODE_ENV'];
  isProduction: boolean;
  host: string;
  port: number;
  publicUrl: string;
  trustProxy: boolean | number | string;
  logLevel: Env['LOG_LEVEL'];
  dataDir: string;
  database: DatabaseConfig;
  seedDemoData: boolean;
  session: { secret: string; idleMinutes: number; maxHours: number; cookieSecure: boolean };
  loginRateLimitPerMinute: number;
  /** Calls per back-office API client per minute. */
  apiRateLimitPerMinute: number;
  saml: {
    spEntityId: string;
    acsUrl: string;
    idpMetadata?: string;
    /** When set, the metadata document must carry a valid signature by this certificate. */
    idpMetadataCert?: string;
    idpEntityId?: string;
    idpSsoUrl?: string;
    idpCert?: string;
    idpSloUrl?: string;
    spKey?: string;
    spCert?: string;
    /** True when no external IdP is configured: the built-in development IdP is used. */
    useDevIdp: boolean;
    attributes: { insz: string; givenName: string; surname: string; email: string };
    inszFromNameId: boolean;
    clockSkewSeconds: number;
  };
  mail: {
    smtpUrl?: string;
    /** SMTP connections each instance's mail worker keeps open and sends over at the same time. */
    maxConnections: number;
    from: string;
    /** No SMTP server: mails stay in the outbox and show at /dev/mailbox. */ devMailbox: boolean;
  };
  /** Bearer token for GET /metrics; without it /metrics does not exist. */
  metricsToken?: string;
}

type TrustProxy = Config['trustProxy'];
type TrustProxySetting = { trustProxy: TrustProxy; problem?: string };

/** Express's names for address ranges, usable in TRUST_PROXY's list. */
const PROXY_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: the proxies whose X-Forwarded-For express believes when it sets req.ip, the rate limits' key.
 * `true` believes every hop, so a client chooses its own address (and escapes the limits) by sending the
 * header itself: production takes only a hop count or a list of the proxies' addresses
 * (docs/security-organisations.md).
 */
function parseTrustProxy(value: string | undefined, isProduction: boolean): TrustProxySetting {
  if (value === undefined || value === '' || value === 'false') return { trustProxy: false };
  if (/^\d+$/.test(value)) return { trustProxy: Number(value) };
  if (value === 'true') {
    const problem =
      'TRUST_PROXY: true would let any client choose its address (and rate-limit key) with X-Forwarded-For; ' +
      'in production give the number of proxies in front (e.g. 1) or their addresses (e.g. 10.0.0.0/8)';
    return isProduction ? { trustProxy: false, problem } : { trustProxy: true };
  }
  const isAddressOrSubnet = (entry: string) => {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    // A /0 range is every address: the same as true.
    const bits = prefix === undefined ? null : /^\d+$/.test(prefix) ? Number(prefix) : -1;
    const prefixOk = bits === null || (bits > 0 && bits <= (family === 4 ? 32 : 128));
    return family !== 0 && rest.length === 0 && prefixOk;
  };
  if (!value.split(',').every((v) => PROXY_PRESETS.has(v.trim()) || isAddressOrSubnet(v.trim()))) {
    const problem =
      'TRUST_PROXY: give a number of proxies (e.g. 1), or a comma-separated list of addresses, ' +
      'subnets (e.g. 10.0.0.0/8) and loopback, linklocal or uniquelocal';
    return { trustProxy: false, problem };
  }
  return { trustProxy: value };
}

type Source = NodeJS.ProcessEnv | Record<string, string | undefined>;

function parseEnv<S extends z.ZodObject>(schema: S, source: Source): z.infer<S> {
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  return parsed.data;
}

type DatabaseEnv = Pick<
  Env,
  'DATABASE_URL' | 'DATABASE_POOL_MAX' | 'EMBEDDED_PG_DIR' | 'EMBEDDED_PG_PORT' | 'DATABASE_WAIT_SECONDS'
>;

function databaseConfig(e: DatabaseEnv): DatabaseConfig {
  return {
    url: e.DATABASE_URL,
    poolMax: e.DATABASE_POOL_MAX,
    embeddedDir: e.EMBEDDED_PG_DIR,
    embeddedPort: e.EMBEDDED_PG_PORT,
    waitSeconds: e.DATABASE_WAIT_SECONDS,
  };
}

const databaseSchema = envSchema.pick({
  NODE_ENV: true,
  DATABASE_URL: true,
  DATABASE_POOL_MAX: true,
  EMBEDDED_PG_DIR: true,
  EMBEDDED_PG_PORT: true,
  DATABASE_WAIT_SECONDS: true,
});

/**
 * The database settings alone, for the operator CLI and `npm run migrate`: they need nothing but DATABASE_URL, also
 * where NODE_ENV=production (the image), so they must not demand the SAML, SMTP or session settings.
 */
export function loadDatabaseConfig(source: Source = process.env): { isProduction: boolean; database: DatabaseConfig } {
  const e = parseEnv(databaseSchema, source);
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction && !e.DATABASE_URL) {
    throw new ConfigError(['DATABASE_URL: required in production (the embedded database is for development only)']);
  }
  return { isProduction, database: databaseConfig(e) };
}

/** Reads and validates the environment once; throws ConfigError naming every bad setting. */
export function loadConfig(source: Source = process.env): Config {
  const e = parseEnv(envSchema, source);
  const isProduction = e.NODE_ENV === 'production';
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const useDevIdp = !e.SAML_IDP_METADATA && !e.SAML_IDP_SSO_URL;
  const cookieSecure = e.COOKIE_SECURE ?? isProduction;
  const { trustProxy, problem: trustProxyProblem } = parseTrustProxy(e.TRUST_PROXY, isProduction);

  const problems: string[] = trustProxyProblem ? [trustProxyProblem] : [];
  if (isProduction) {
    if (!e.DATABASE_URL)
      problems.push('DATABASE_URL: required in production (the embedded database is for development only)');
    if (!e.PUBLIC_URL) problems.push('PUBLIC_URL: required in production');
    else if (!publicUrl.startsWith('https://')) problems.push('PUBLIC_URL: must use https in production');
    if (e.SESSION_SECRET === DEFAULT_SESSION_SECRET)
      problems.push('SESSION_SECRET: set a secret of your own in production');
    if (!cookieSecure) problems.push('COOKIE_SECURE: must not be false in production');
    if (useDevIdp)
      problems.push('SAML_IDP_METADATA or SAML_IDP_SSO_URL: required in production (the development IdP is refused)');
    if (!e.SMTP_URL) problems.push('SMTP_URL: required in production (the development mailbox is refused)');
    if (!e.SAML_SP_KEY || !e.SAML_SP_CERT) problems.push('SAML_SP_KEY and SAML_SP_CERT: required in production');
  }
  if (e.SAML_IDP_SSO_URL && !e.SAML_IDP_METADATA) {
    if (!e.SAML_IDP_CERT) problems.push('SAML_IDP_CERT: required together with SAML_IDP_SSO_URL');
    // Without metadata nothing else names the IdP, and its Issuer must be checked.
    if (!e.SAML_IDP_ENTITY_ID) problems.push('SAML_IDP_ENTITY_ID: required together with SAML_IDP_SSO_URL');
  }
  // Over plain http anyone on the path could swap the IdP's certificate for their own.
  if (isProduction && e.SAML_IDP_METADATA && /^http:/i.test(e.SAML_IDP_METADATA)) {
    problems.push('SAML_IDP_METADATA: must be an https:// URL or a file in production');
  }
  if (e.SAML_IDP_METADATA_CERT && !e.SAML_IDP_METADATA) {
    problems.push('SAML_IDP_METADATA_CERT: only used with SAML_IDP_METADATA');
  }
  if (problems.length) throw new ConfigError(problems);

  return {
    env: e.NODE_ENV,
    isProduction,
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    trustProxy,
    logLevel: e.LOG_LEVEL,
    dataDir: e.DATA_DIR,
    database: databaseConfig(e),
    seedDemoData: !isProduction && (e.SEED_DEMO_DATA ?? !e.DATABASE_URL),
    session: {
      secret: e.SESSION_SECRET,
      idleMinutes: e.SESSION_IDLE_MINUTES,
      maxHours: e.SESSION_MAX_HOURS,
      cookieSecure,
    },
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    apiRateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
    saml: {
      spEntityId: e.SAML_SP_ENTITY_ID ?? `${publicUrl}/auth/saml/metadata`,
      acsUrl: `${publicUrl}/auth/saml/acs`,
      idpMetadata: e.SAML_IDP_METADATA,
      idpMetadataCert: e.SAML_IDP_METADATA_CERT,
      idpEntityId: e.SAML_IDP_ENTITY_ID,
      idpSsoUrl: e.SAML_IDP_SSO_URL,
      idpCert: e.SAML_IDP_CERT,
      idpSloUrl: e.SAML_IDP_SLO_URL,
      spKey: e.SAML_SP_KEY,
      spCert: e.SAML_SP_CERT,
      useDevIdp,
      attributes: {
        insz: e.SAML_ATTR_INSZ,
        givenName: e.SAML_ATTR_GIVEN_NAME,
        surname: e.SAML_ATTR_SURNAME,
        email: e.SAML_ATTR_EMAIL,
      },
      inszFromNameId: e.SAML_INSZ_FROM_NAMEID,
      clockSkewSeconds: e.SAML_CLOCK_SKEW_SECONDS,
    },
    mail: { smtpUrl: e.SMTP_URL, maxConnections: e.SMTP_MAX_CONNECTIONS, from: e.MAIL_FROM, devMailbox: !e.SMTP_URL },
    metricsToken: e.METRICS_TOKEN,
  };
}
