import type { Engine } from './engine.js'
import { openPostgres } from './postgres.js'
import { openSqlite } from './sqlite.js'

/** A `postgres://` or `postgresql://` URL opens PostgreSQL; anything else is a SQLite file (or `:memory:`). */
export function openEngine(database: string, options: { poolSize?: number } = {}): Engine {
  return isPostgres(database) ? openPostgres(database, options) : openSqlite(database)
}

/** Whether the database is a PostgreSQL URL rather than a SQLite file. */
export function isPostgres(database: string): boolean {
  return /^postgres(ql)?:\/\//i.test(database)
}

/** The database named for a log or a message: a URL without its password. */
export function describeDatabase(database: string): string {
  if (!isPostgres(database)) return `SQLite ${database}`
  try {
    const url = new URL(database)
    url.password = ''
    return `PostgreSQL ${url.toString()}`
  } catch {
    return 'PostgreSQL (unparsable URL)'
  }
}
