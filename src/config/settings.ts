/** Every setting bdfu reads, its type, default and meaning: the one table the loader and docs follow. */
export interface Settings {
  jwtSecretKey: string;
  jwtPreviousSecrets: string[];
  jwtPublicKeys: string[];
  jwtJwksFile: string;
  storageDir: string;
  host: string;
  port: number;
  basePath: string;
  clockSkewSeconds: number;
  staleUploadSeconds: number;
  maxUploadSize: number;
  quotaBytes: number;
  quotaFiles: number;
  maxFileNameBytes: number;
  maxFormFields: number;
  maxFormParts: number;
  maxFieldBytes: number;
  maxPartHeaderPairs: number;
  headersTimeoutSeconds: number;
  requestTimeoutSeconds: number;
  bodyIdleTimeoutSeconds: number;
  maxConnections: number;
  shutdownGraceSeconds: number;
  signedLinkMaxSeconds: number;
  cloudfrontKeyPairId: string;
  cloudfrontPrivateKeyFile: string;
  cloudfrontDomain: string;
  cloudfrontUrlSeconds: number;
  anonymizeAfterDays: number;
  trustedProxies: string[];
  linkSecretKey: string;
  storageMode: string;
  auditMaxBytes: number;
  auditRefusedPerMinute: number;
  publicUrl: string;
  tokenMaxLifetimeSeconds: number;
  cgiSweepOneIn: number;
  cgiAnonymizeOneIn: number;
  hookCommand: string;
  hookUrl: string;
  hookSecret: string;
  hookEvents: string[];
  hookTimeoutSeconds: number;
  corsOrigins: string[];
  tusExpireSeconds: number;
  s3Endpoint: string;
  s3Bucket: string;
  s3Region: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  s3ForcePathStyle: boolean;
  databaseUrl: string;
  retentionDaysMax: number;
  retentionDaysDefault: number;
  documentVersionsKeep: number;
  documentVersionsDays: number;
  shareLinkMaxDays: number;
  sharePasswordTries: number;
  sharePasswordWindowSeconds: number;
  fileRequestMaxDays: number;
}

type Kind = 'string' | 'integer' | 'boolean' | 'list';

export interface SettingSpec {
  key: string;
  prop: keyof Settings;
  kind: Kind;
  default: string | number | boolean | string[] | undefined;
  min?: number;
  max?: number;
  /** A path (or list of paths) relative to the configuration file. */
  path?: boolean;
  /** A secret: its value is never printed, not even in a start-up refusal. */
  secret?: boolean;
  doc: string;
}

const GIB = 1024 ** 3;

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'JWT_SECRET_KEY', prop: 'jwtSecretKey', kind: 'string', default: '', secret: true,
    doc: 'Shared secret that HS256 tokens are signed with. Required unless JWT_PUBLIC_KEYS or JWT_JWKS_FILE is set.' },
  { key: 'JWT_PREVIOUS_SECRETS', prop: 'jwtPreviousSecrets', kind: 'list', default: [], secret: true,
    doc: 'Earlier HS256 secrets, still accepted for verifying tokens (never used to sign) while you rotate.' },
  { key: 'JWT_PUBLIC_KEYS', prop: 'jwtPublicKeys', kind: 'list', default: [], path: true,
    doc: 'PEM files of public keys (RSA: RS256, P-256: ES256, Ed25519: EdDSA) that tokens may be signed with; the file name without .pem is the key id (kid).' },
  { key: 'JWT_JWKS_FILE', prop: 'jwtJwksFile', kind: 'string', default: '', path: true,
    doc: 'A JWKS file (JSON {"keys": [...]}) of public keys, each with a kid.' },
  { key: 'STORAGE_DIR', prop: 'storageDir', kind: 'string', default: undefined, path: true,
    doc: 'Where files are kept, as STORAGE_DIR/<user>/<file id>. Required. Relative paths are relative to the configuration file.' },
  { key: 'HOST', prop: 'host', kind: 'string', default: '127.0.0.1',
    doc: 'Address `bdfu serve` listens on (`--ip` overrides).' },
  { key: 'PORT', prop: 'port', kind: 'integer', default: 8080, min: 0, max: 65535,
    doc: 'Port `bdfu serve` listens on (`--port` overrides).' },
  { key: 'BASE_PATH', prop: 'basePath', kind: 'string', default: '/',
    doc: 'URL path bdfu is mounted under when it sits behind a reverse proxy, e.g. `/files/`.' },
  { key: 'CLOCK_SKEW_SECONDS', prop: 'clockSkewSeconds', kind: 'integer', default: 5, min: 0, max: 300,
    doc: 'How far token `exp`/`nbf` may be off because clocks differ.' },
  { key: 'STALE_UPLOAD_SECONDS', prop: 'staleUploadSeconds', kind: 'integer', default: 3600, min: 1,
    doc: 'An unfinished upload untouched for this long is swept as abandoned (at once when the process that owned it is gone).' },
  { key: 'MAX_UPLOAD_SIZE', prop: 'maxUploadSize', kind: 'integer', default: GIB, min: 1,
    doc: 'Largest request body in bytes (the file plus its multipart framing); more is refused with 413 as soon as it is crossed. A token `max_size` claim may lower it.' },
  { key: 'QUOTA_BYTES', prop: 'quotaBytes', kind: 'integer', default: 0, min: 0,
    doc: 'Bytes each user may keep stored, uploads in flight included (0: no limit).' },
  { key: 'QUOTA_FILES', prop: 'quotaFiles', kind: 'integer', default: 0, min: 0,
    doc: 'Files each user may keep stored, uploads in flight included (0: no limit).' },
  { key: 'MAX_FILE_NAME_BYTES', prop: 'maxFileNameBytes', kind: 'integer', default: 255, min: 1, max: 4096,
    doc: 'Longest file name (UTF-8 bytes) an upload may carry.' },
  { key: 'MAX_FORM_FIELDS', prop: 'maxFormFields', kind: 'integer', default: 32, min: 0, max: 10000,
    doc: 'Most non-file fields a multipart upload may carry.' },
  { key: 'MAX_FORM_PARTS', prop: 'maxFormParts', kind: 'integer', default: 64, min: 1, max: 10000,
    doc: 'Most parts (fields and files) a multipart upload may carry.' },
  { key: 'MAX_FIELD_BYTES', prop: 'maxFieldBytes', kind: 'integer', default: 65536, min: 1,
    doc: 'Largest value of a non-file multipart field, in bytes.' },
  { key: 'MAX_PART_HEADER_PAIRS', prop: 'maxPartHeaderPairs', kind: 'integer', default: 16, min: 1, max: 2000,
    doc: 'Most headers one multipart part may carry.' },
  { key: 'HEADERS_TIMEOUT_SECONDS', prop: 'headersTimeoutSeconds', kind: 'integer', default: 30, min: 1, max: 3600,
    doc: '`bdfu serve`: a client must send its request headers within this time (slowloris).' },
  { key: 'REQUEST_TIMEOUT_SECONDS', prop: 'requestTimeoutSeconds', kind: 'integer', default: 3600, min: 0,
    doc: '`bdfu serve`: a whole request, body included, must arrive within this time (0: no limit).' },
  { key: 'BODY_IDLE_TIMEOUT_SECONDS', prop: 'bodyIdleTimeoutSeconds', kind: 'integer', default: 60, min: 1, max: 86400,
    doc: '`bdfu serve`: a connection that sends nothing for this long is cut off (a stalled upload).' },
  { key: 'MAX_CONNECTIONS', prop: 'maxConnections', kind: 'integer', default: 256, min: 1,
    doc: '`bdfu serve`: most open connections; more are refused at once.' },
  { key: 'SHUTDOWN_GRACE_SECONDS', prop: 'shutdownGraceSeconds', kind: 'integer', default: 30, min: 0, max: 3600,
    doc: '`bdfu serve`: on SIGTERM/SIGINT, uploads in flight get this long to finish; new requests are refused.' },
  { key: 'SIGNED_LINK_MAX_SECONDS', prop: 'signedLinkMaxSeconds', kind: 'integer', default: 604800, min: 1,
    doc: 'The longest lifetime a signed download link may ask for (`bdfu sign-url --expires-in`).' },
  { key: 'CLOUDFRONT_KEY_PAIR_ID', prop: 'cloudfrontKeyPairId', kind: 'string', default: '',
    doc: 'CDN mode: the CloudFront key pair (public key) id. CDN mode is on when this, the key file and the domain are set; all three or none.' },
  { key: 'CLOUDFRONT_PRIVATE_KEY_FILE', prop: 'cloudfrontPrivateKeyFile', kind: 'string', default: '', path: true,
    doc: 'CDN mode: the RSA private key (PEM) of that key pair. Relative paths are relative to the configuration file.' },
  { key: 'CLOUDFRONT_DOMAIN', prop: 'cloudfrontDomain', kind: 'string', default: '',
    doc: 'CDN mode: the distribution domain, e.g. `d111111abcdef8.cloudfront.net`; it serves STORAGE_DIR as `/<user>/<id>`.' },
  { key: 'CLOUDFRONT_URL_SECONDS', prop: 'cloudfrontUrlSeconds', kind: 'integer', default: 300, min: 1, max: 86400,
    doc: 'CDN mode: how long the CloudFront signed URL a download redirects to stays valid.' },
  { key: 'ANONYMIZE_AFTER_DAYS', prop: 'anonymizeAfterDays', kind: 'integer', default: 30, min: 0, max: 36500,
    doc: 'Audit entries older than this many days lose their user and address (at start, daily, and now and then under CGI); 0 keeps them.' },
  { key: 'TRUSTED_PROXIES', prop: 'trustedProxies', kind: 'list', default: [],
    doc: "Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For/-Proto/-Host `bdfu serve` believes, e.g. `['127.0.0.1', '::1']` (environment: comma-separated). Empty: those headers are ignored." },
  { key: 'LINK_SECRET_KEY', prop: 'linkSecretKey', kind: 'string', default: '', secret: true,
    doc: 'Secret that signed download links are signed with (at least 16 characters). Unset: JWT_SECRET_KEY when that is set, else a random secret bdfu makes and keeps in STORAGE_DIR/.link-secret (mode 0600). Changing it revokes every link.' },
  { key: 'STORAGE_MODE', prop: 'storageMode', kind: 'string', default: 'private',
    doc: "Who may read stored files: `private` (files 0600, directories 0700: only the user bdfu runs as) or `group` (files 0640, directories 0750: also that user's group, e.g. a web server or backup user in it)." },
  { key: 'AUDIT_MAX_BYTES', prop: 'auditMaxBytes', kind: 'integer', default: 64 * 1024 * 1024, min: 4096,
    doc: 'When the audit trail (STORAGE_DIR/.audit.jsonl) reaches this size it is rotated to .audit.jsonl.1 (replacing the one before): the trail never takes more than about twice this.' },
  { key: 'AUDIT_REFUSED_PER_MINUTE', prop: 'auditRefusedPerMinute', kind: 'integer', default: 60, min: 1, max: 100000,
    doc: 'Most refused or failed requests written to the audit trail per client address (IPv6: per /64) and minute; the rest are counted, and the count written once the minute is over.' },
  { key: 'PUBLIC_URL', prop: 'publicUrl', kind: 'string', default: '',
    doc: 'The public address of the endpoint, e.g. `https://files.example.org/bdfu/`. When set, every link bdfu makes (Location, share links) starts with it, whatever Host a request names.' },
  { key: 'TOKEN_MAX_LIFETIME_SECONDS', prop: 'tokenMaxLifetimeSeconds', kind: 'integer', default: 2592000, min: 60, max: 315360000,
    doc: 'Tokens must carry `exp`, and it may lie at most this far in the future (default 30 days); raise it to allow long-lived tokens, up to 10 years.' },
  { key: 'CGI_SWEEP_ONE_IN', prop: 'cgiSweepOneIn', kind: 'integer', default: 100, min: 0, max: 1_000_000,
    doc: 'Under CGI, one request in this many also sweeps abandoned uploads after answering (1: every request; 0: never).' },
  { key: 'CGI_ANONYMIZE_ONE_IN', prop: 'cgiAnonymizeOneIn', kind: 'integer', default: 200, min: 0, max: 1_000_000,
    doc: 'Under CGI, one request in this many also anonymizes old audit entries after answering (1: every request; 0: never).' },
  { key: 'HOOK_COMMAND', prop: 'hookCommand', kind: 'string', default: '', path: true,
    doc: 'An executable run for each hook event (see Hooks): the event as JSON on stdin; exit 0 accepts, any other status rejects with its first line of output as the reason.' },
  { key: 'HOOK_URL', prop: 'hookUrl', kind: 'string', default: '',
    doc: 'A webhook (http or https URL) POSTed each hook event as JSON, signed with HOOK_SECRET; a 2xx answer accepts.' },
  { key: 'HOOK_SECRET', prop: 'hookSecret', kind: 'string', default: '', secret: true,
    doc: 'The HMAC-SHA256 key webhook requests are signed with (header X-Bdfu-Signature). Required with HOOK_URL; at least 16 characters.' },
  { key: 'HOOK_EVENTS', prop: 'hookEvents', kind: 'list', default: ['beforeCommit', 'afterUpload', 'afterDownload', 'afterDelete', 'afterShare'],
    doc: 'Which events HOOK_COMMAND and HOOK_URL get, from authorize, beforeCommit, afterUpload, afterDownload, afterDelete, afterShare.' },
  { key: 'HOOK_TIMEOUT_SECONDS', prop: 'hookTimeoutSeconds', kind: 'integer', default: 10, min: 1, max: 300,
    doc: 'How long one hook call (in-process, command or webhook) may take; a before-hook past it is 500 hook_failed. Under CGI, also the whole time after-events get, retries included.' },
  { key: 'CORS_ORIGINS', prop: 'corsOrigins', kind: 'list', default: [],
    doc: "Browser apps on these origins (`scheme://host[:port]`, e.g. `['https://app.example.com']`) may call the upload, tus and download endpoints; `['*']`: any origin. Credentials (cookies) are never allowed. Empty (the default): no CORS headers at all." },
  { key: 'TUS_EXPIRE_SECONDS', prop: 'tusExpireSeconds', kind: 'integer', default: 86400, min: 60, max: 2592000,
    doc: 'A resumable (tus) upload not finished this long after it was created expires (`Upload-Expires`): it is refused with 410 and swept with its bytes.' },
  { key: 'S3_ENDPOINT', prop: 's3Endpoint', kind: 'string', default: '',
    doc: 'S3 + PostgreSQL (several instances): the S3-compatible endpoint, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:9000`. Set with S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and DATABASE_URL, or none of them.' },
  { key: 'S3_BUCKET', prop: 's3Bucket', kind: 'string', default: '',
    doc: 'S3 + PostgreSQL: the bucket file bytes are kept in (as `files/<user>/<id>`); it must exist.' },
  { key: 'S3_REGION', prop: 's3Region', kind: 'string', default: 'us-east-1',
    doc: 'S3 + PostgreSQL: the region requests are signed for (SigV4).' },
  { key: 'S3_ACCESS_KEY_ID', prop: 's3AccessKeyId', kind: 'string', default: '',
    doc: 'S3 + PostgreSQL: the access key id (never printed).' },
  { key: 'S3_SECRET_ACCESS_KEY', prop: 's3SecretAccessKey', kind: 'string', default: '', secret: true,
    doc: 'S3 + PostgreSQL: the secret access key (a secret: prefer the environment, BDFU_S3_SECRET_ACCESS_KEY, or a 0600 settings file; never printed).' },
  { key: 'S3_FORCE_PATH_STYLE', prop: 's3ForcePathStyle', kind: 'boolean', default: false,
    doc: 'S3 + PostgreSQL: address the bucket as `endpoint/bucket/key` (MinIO, Ceph, Swift) rather than `bucket.endpoint/key` (AWS).' },
  { key: 'DATABASE_URL', prop: 'databaseUrl', kind: 'string', default: '', secret: true,
    doc: 'S3 + PostgreSQL: `postgres://user:password@host:5432/database` for records, quota, sessions and the audit trail; the schema is created or updated at start. May hold a password: never printed (messages name host, port and database only).' },
  { key: 'RETENTION_DAYS_MAX', prop: 'retentionDaysMax', kind: 'integer', default: 0, min: 0, max: 36500,
    doc: 'The longest an upload may ask to be kept (`expires_in`), in days; 0: no cap, and uploads may be kept for ever.' },
  { key: 'RETENTION_DAYS_DEFAULT', prop: 'retentionDaysDefault', kind: 'integer', default: 0, min: 0, max: 36500,
    doc: 'Days an upload without `expires_in` is kept before the sweep deletes it; 0: kept until deleted. At most RETENTION_DAYS_MAX when that is set.' },
  { key: 'DOCUMENT_VERSIONS_KEEP', prop: 'documentVersionsKeep', kind: 'integer', default: 0, min: 0,
    doc: 'remoteStorage history: old versions kept per document (0: all of them); older ones are pruned after each write.' },
  { key: 'DOCUMENT_VERSIONS_DAYS', prop: 'documentVersionsDays', kind: 'integer', default: 0, min: 0, max: 36500,
    doc: 'remoteStorage history: old versions older than this many days are pruned after each write (0: kept however old).' },
  { key: 'SHARE_LINK_MAX_DAYS', prop: 'shareLinkMaxDays', kind: 'integer', default: 30, min: 0, max: 36500,
    doc: 'The longest a share link may live, in days; 0: no cap, and links that never expire are allowed.' },
  { key: 'SHARE_PASSWORD_TRIES', prop: 'sharePasswordTries', kind: 'integer', default: 5, min: 1, max: 1000,
    doc: 'Password tries one address may make on one share link or file request per SHARE_PASSWORD_WINDOW_SECONDS; more are 429.' },
  { key: 'SHARE_PASSWORD_WINDOW_SECONDS', prop: 'sharePasswordWindowSeconds', kind: 'integer', default: 900, min: 1, max: 86400,
    doc: 'The window SHARE_PASSWORD_TRIES counts over, in seconds.' },
  { key: 'FILE_REQUEST_MAX_DAYS', prop: 'fileRequestMaxDays', kind: 'integer', default: 30, min: 1, max: 3650,
    doc: 'The longest a file request (an upload link for people without an account) may stay open, in days.' },
];

export const ENV_PREFIX = 'BDFU_';
