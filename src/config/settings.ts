/** Every setting bdfu reads, its type, default and meaning: the one table the loader and docs follow. */
export interface Settings {
  jwtSecretKey: string;
  storageDir: string;
  host: string;
  port: number;
  basePath: string;
  clockSkewSeconds: number;
  staleUploadSeconds: number;
  signedLinkMaxSeconds: number;
  cloudfrontKeyPairId: string;
  cloudfrontPrivateKeyFile: string;
  cloudfrontDomain: string;
  cloudfrontUrlSeconds: number;
  anonymizeAfterDays: number;
  trustedProxies: string[];
}

type Kind = 'string' | 'integer' | 'list';

export interface SettingSpec {
  key: string;
  prop: keyof Settings;
  kind: Kind;
  default: string | number | string[] | undefined;
  min?: number;
  max?: number;
  doc: string;
}

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'JWT_SECRET_KEY', prop: 'jwtSecretKey', kind: 'string', default: undefined,
    doc: 'Shared secret that HS256 tokens are signed with. Required; an empty value is refused.' },
  { key: 'STORAGE_DIR', prop: 'storageDir', kind: 'string', default: undefined,
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
    doc: 'An unfinished upload untouched for this long is swept as abandoned.' },
  { key: 'SIGNED_LINK_MAX_SECONDS', prop: 'signedLinkMaxSeconds', kind: 'integer', default: 604800, min: 1,
    doc: 'The longest lifetime a signed download link may ask for (`bdfu sign-url --expires-in`).' },
  { key: 'CLOUDFRONT_KEY_PAIR_ID', prop: 'cloudfrontKeyPairId', kind: 'string', default: '',
    doc: 'CDN mode: the CloudFront key pair (public key) id. CDN mode is on when this, the key file and the domain are set; all three or none.' },
  { key: 'CLOUDFRONT_PRIVATE_KEY_FILE', prop: 'cloudfrontPrivateKeyFile', kind: 'string', default: '',
    doc: 'CDN mode: the RSA private key (PEM) of that key pair. Relative paths are relative to the configuration file.' },
  { key: 'CLOUDFRONT_DOMAIN', prop: 'cloudfrontDomain', kind: 'string', default: '',
    doc: 'CDN mode: the distribution domain, e.g. `d111111abcdef8.cloudfront.net`; it serves STORAGE_DIR as `/<user>/<id>`.' },
  { key: 'CLOUDFRONT_URL_SECONDS', prop: 'cloudfrontUrlSeconds', kind: 'integer', default: 300, min: 1, max: 86400,
    doc: 'CDN mode: how long the CloudFront signed URL a download redirects to stays valid.' },
  { key: 'ANONYMIZE_AFTER_DAYS', prop: 'anonymizeAfterDays', kind: 'integer', default: 30, min: 0, max: 36500,
    doc: 'Audit entries older than this many days lose their user and address (at start, daily, and now and then under CGI); 0 keeps them.' },
  { key: 'TRUSTED_PROXIES', prop: 'trustedProxies', kind: 'list', default: [],
    doc: "Addresses (or CIDR ranges) of reverse proxies whose X-Forwarded-For/-Proto/-Host `bdfu serve` believes, e.g. `['127.0.0.1', '::1']` (environment: comma-separated). Empty: those headers are ignored." },
];

export const ENV_PREFIX = 'BDFU_';
