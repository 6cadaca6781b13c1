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
  retentionDaysMax: number;
  retentionDaysDefault: number;
  shareLinkMaxDays: number;
  sharePasswordTries: number;
  sharePasswordWindowSeconds: number;
  fileRequestMaxDays: number;
}

type Kind = 'string' | 'integer' | 'list';

export interface SettingSpec {
  key: string;
  prop: keyof Settings;
  kind: Kind;
  default: string | number | string[] | undefined;
  min?: number;
  max?: number;
  /** A path (or list of paths) relative to the configuration file. */
  path?: boolean;
  doc: string;
}

const GIB = 1024 ** 3;

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'JWT_SECRET_KEY', prop: 'jwtSecretKey', kind: 'string', default: '',
    doc: 'Shared secret that HS256 tokens are signed with. Required unless JWT_PUBLIC_KEYS or JWT_JWKS_FILE is set.' },
  { key: 'JWT_PREVIOUS_SECRETS', prop: 'jwtPreviousSecrets', kind: 'list', default: [],
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
  { key: 'RETENTION_DAYS_MAX', prop: 'retentionDaysMax', kind: 'integer', default: 0, min: 0, max: 36500,
    doc: 'The longest an upload may ask to be kept (`expires_in`), in days; 0: no cap, and uploads may be kept for ever.' },
  { key: 'RETENTION_DAYS_DEFAULT', prop: 'retentionDaysDefault', kind: 'integer', default: 0, min: 0, max: 36500,
    doc: 'Days an upload without `expires_in` is kept before the sweep deletes it; 0: kept until deleted. At most RETENTION_DAYS_MAX when that is set.' },
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
