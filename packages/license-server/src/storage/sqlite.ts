import { closeSync, existsSync, openSync } from 'node:fs'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import type { Engine, SqlValue, Tx } from './engine.js'
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js'

/**
 * SQLite through node:sqlite: one file, no server (ADR 0090). A writing transaction is `BEGIN IMMEDIATE`,
 * which takes the database's write lock at once, so every rule runs alone; in this process transactions
 * are queued, because they share one connection. WAL with `synchronous = FULL`: a commit is on disk
 * before its answer is sent, so a crash, even of the machine, loses nothing acknowledged.
 */
export function openSqlite(file: string): Engine {
  // Created private: it holds who restored what where. SQLite gives its -wal and -shm files the same mode.
  if (file !== ':memory:' && !existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  const db = new DatabaseSync(file)
  db.exec('PRAGMA busy_timeout = 5000')
  if (file !== ':memory:') db.exec('PRAGMA journal_mode = WAL')
  db.exec('PRAGMA synchronous = FULL')
  db.exec('PRAGMA foreign_keys = ON')
  const statements = new Map<string, StatementSync>()
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(toSqlitePlaceholders(sql))
      statements.set(sql, statement)
    }
    return statement
  }
  const tx: Tx = {
    forUpdate: '',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      prepare(sql).all(...(params as SQLInputValue[])) as T[],
    run: async (sql, params = []) => Number(prepare(sql).run(...(params as SQLInputValue[])).changes)
  }
  let queue: Promise<unknown> = Promise.resolve()
  let closed = false

  const transaction = <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const next = queue.then(async () => {
      if (closed) throw new Error('The database is closed.')
      db.exec('BEGIN IMMEDIATE')
      try {
        const result = await work(tx)
        db.exec('COMMIT')
        return result
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK')
        throw error
      }
    })
    queue = next.catch(() => undefined)
    return next
  }

  const schemaVersion = async (): Promise<number> => {
    db.exec(MIGRATIONS_TABLE)
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }
    return row.v ?? 0
  }

  return {
    kind: 'sqlite',
    transaction,
    // Queued like a transaction: this connection may be inside another request's transaction.
    read: (sql, params) => transaction(t => t.all(sql, params)),
    schemaVersion,
    migrate: async () => {
      await schemaVersion()
      for (const migration of MIGRATIONS) {
        await transaction(async t => {
          const done = await t.all('SELECT version FROM schema_migrations WHERE version = $1', [
            migration.version
          ])
          if (done.length > 0) return
          db.exec(migration.sql.sqlite)
          await t.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            Date.now()
          ])
        })
      }
      return schemaVersion()
    },
    close: async () => {
      await queue
      closed = true
      db.close()
    }
  }
}

/**
 * SQLite reads `$1` as a name. Placeholders that run $1, $2, … in order become plain `?`; others `?N`,
 * SQLite's numbered form, which node:sqlite binds about a hundred times slower in a 1,000-row insert.
 */
export function toSqlitePlaceholders(sql: string): string {
  const numbers = [...sql.matchAll(/\$(\d+)/g)].map(m => Number(m[1]))
  const inOrder = numbers.every((n, i) => n === i + 1)
  return sql.replace(/\$(\d+)/g, inOrder ? '?' : '?$1')
}
