import pg from 'pg'
import type { Engine, SqlValue, Tx } from './engine.js'
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js'

/** SQLSTATEs after which PostgreSQL asks for the whole transaction to be run again. */
const RETRYABLE = new Set(['40001', '40P01'])
const ATTEMPTS = 8
/** Any fixed number: the advisory lock that keeps two instances from migrating at once. */
const MIGRATION_LOCK = 7_300_120

/** BIGINT columns (ms timestamps, counts) come back as numbers, not strings; they stay below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser
}

/**
 * PostgreSQL through `pg`, for several instances of the service on one database (ADR 0090). Transactions
 * run at READ COMMITTED and lock what a rule reads before it decides (`SELECT … FOR UPDATE` on the session
 * and on each license, in jti order so two batches never wait on each other in a circle); a deadlock or
 * serialization failure reruns the whole transaction.
 */
export function openPostgres(connectionString: string, options: { poolSize?: number } = {}): Engine {
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10, types })
  // An idle connection that breaks (a database restart) must not stop the process; the next query fails
  // and says so, and /readyz reports it.
  pool.on('error', () => undefined)

  const once = async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const client = await pool.connect()
    const tx: Tx = {
      forUpdate: ' FOR UPDATE',
      all: async <R>(sql: string, params: readonly SqlValue[] = []) =>
        (await client.query(sql, params as SqlValue[])).rows as R[],
      run: async (sql, params = []) => (await client.query(sql, params as SqlValue[])).rowCount ?? 0
    }
    let broken = false
    try {
      await client.query('BEGIN')
      const result = await work(tx)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true
      })
      throw error
    } finally {
      client.release(broken)
    }
  }

  const transaction = async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(work)
      } catch (error) {
        const code = (error as { code?: string }).code
        if (attempt >= ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw error
        await new Promise(resolve => setTimeout(resolve, Math.random() * 10 * attempt))
      }
    }
  }

  const schemaVersion = async (): Promise<number> => {
    const exists = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations') AS t")
    if (exists.rows[0]?.t === null) return 0
    const row = await pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')
    return row.rows[0]?.v ?? 0
  }

  return {
    kind: 'postgres',
    transaction,
    read: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await pool.query(sql, params as SqlValue[])).rows as T[],
    schemaVersion,
    migrate: async () => {
      await transaction(async tx => {
        await tx.all('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK])
        await tx.run(MIGRATIONS_TABLE)
        const done = new Set(
          (await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map(r => r.version)
        )
        for (const migration of MIGRATIONS) {
          if (done.has(migration.version)) continue
          await tx.run(migration.sql.postgres)
          await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            Date.now()
          ])
        }
      })
      return schemaVersion()
    },
    close: () => pool.end()
  }
}
