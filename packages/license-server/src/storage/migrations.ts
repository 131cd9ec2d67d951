/**
 * The schema, as numbered migrations applied in order and recorded in `schema_migrations` (ADR 0090).
 * A migration is never edited once released: a change is a new one. Each engine has its own text only
 * where the SQL differs (an auto-numbered key).
 */
export interface Migration {
  version: number
  name: string
  sql: { sqlite: string; postgres: string }
}

const initial = (auditId: string): string => `
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  any_licensee INTEGER NOT NULL DEFAULT 0,
  operator INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE TABLE licensees (
  sub TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id)
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  label TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  token_id TEXT NOT NULL REFERENCES tokens(id),
  machine_id TEXT NOT NULL,
  machine_x TEXT NOT NULL,
  individualize INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_token ON sessions (token_id, expires_at);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE TABLE answers (
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  key_hash TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  outcomes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (session_id, key_hash)
);
CREATE TABLE licenses (
  jti TEXT PRIMARY KEY,
  tenant_id TEXT REFERENCES tenants(id),
  revoked_at BIGINT,
  first_seen_at BIGINT NOT NULL
);
CREATE TABLE holdings (
  jti TEXT NOT NULL REFERENCES licenses(jti),
  machine_id TEXT NOT NULL,
  origin INTEGER NOT NULL,
  acquired_at BIGINT NOT NULL,
  PRIMARY KEY (jti, machine_id)
);
CREATE INDEX holdings_by_machine ON holdings (machine_id);
CREATE TABLE audit (
  id ${auditId},
  at BIGINT NOT NULL,
  tenant_id TEXT,
  token_id TEXT,
  action TEXT NOT NULL,
  jti TEXT,
  machine_id TEXT,
  detail TEXT
);
CREATE INDEX audit_by_tenant ON audit (tenant_id, id);
`

/** The nonces of session proofs, each kept while its proof could still pass (protocol v1.1). */
const proofNonces = `
CREATE TABLE proof_nonces (
  nonce TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX proof_nonces_by_expiry ON proof_nonces (expires_at);
`

/**
 * Leases (protocol v1.2, ADR 0160): a holding counts while its lease, plus the clock skew tolerated, has not
 * ended; `lease_until` NULL is a holding without a lease (the license's own machine, and every holding
 * granted before leases, whose copies never expire), counted until the license itself ends. A released
 * holding keeps counting until its lease ends. The operator's policy overrides, per tenant or per license.
 */
const leases = `
ALTER TABLE holdings ADD COLUMN lease_until BIGINT;
ALTER TABLE holdings ADD COLUMN released_at BIGINT;
CREATE TABLE lease_policies (
  scope TEXT NOT NULL,
  target TEXT NOT NULL,
  lease_ms BIGINT,
  release_mode TEXT,
  restore_limit INTEGER,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (scope, target)
);
`

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, tokens, sessions, answers, licenses, holdings, audit',
    sql: {
      sqlite: initial('INTEGER PRIMARY KEY AUTOINCREMENT'),
      postgres: initial('BIGSERIAL PRIMARY KEY')
    }
  },
  {
    version: 2,
    name: 'proof nonces (protocol v1.1)',
    sql: { sqlite: proofNonces, postgres: proofNonces }
  },
  {
    version: 3,
    name: 'leases: holdings lease_until and released_at, lease policies (protocol v1.2)',
    sql: { sqlite: leases, postgres: leases }
  }
]

export const SCHEMA_VERSION = MIGRATIONS.length

export const MIGRATIONS_TABLE =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)'
