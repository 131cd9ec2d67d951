import type { Engine } from './engine.js'
import { openPostgres } from './postgres.js'
import { openSqlite } from './sqlite.js'

/** A `postgres://` or `postgresql://` URL opens PostgreSQL; anything else is a SQLite file (or `:memory:`). */
export function openEngine(database: string, options: { poolSize?: number } = {}): Engine {
  return /^postgres(ql)?:\/\//i.test(database) ? openPostgres(database, options) : openSqlite(database)
}

/** The database named for a log or a message: a URL without its password. */
export function describeDatabase(database: string): string {
  if (!/^postgres(ql)?:\/\//i.test(database)) return `SQLite ${database}`
  try {
    const url = new URL(database)
    url.password = ''
    return `PostgreSQL ${url.toString()}`
  } catch {
    return 'PostgreSQL (unparsable URL)'
  }
}
