/**
 * The SQL engines under the service's storage (ADR 0090). Rules are written once, as SQL both engines
 * speak (`$1` placeholders, `ON CONFLICT`, multi-row `VALUES`); an engine only runs statements inside one
 * transaction and says how to lock a row.
 */
export interface Tx {
  /** Rows of a query. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>
  /** Runs a statement; returns the rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>
  /** ` FOR UPDATE` where rows can be locked one by one (PostgreSQL); empty where a transaction already
   * holds the whole database for writing (SQLite, BEGIN IMMEDIATE). */
  readonly forUpdate: string
}

export type SqlValue = string | number | null

export interface Engine {
  readonly kind: 'sqlite' | 'postgres'
  /** Runs `work` in one writing transaction: all of it is committed, or none. Retried whole when the
   * database asks for it (a serialization failure or deadlock), so `work` must only touch the database. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>
  /** One reading statement, outside any transaction's locks. */
  read<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>
  /** Applies the migrations not yet applied; returns the schema version. */
  migrate(): Promise<number>
  /** The applied schema version (0 on an empty database). */
  schemaVersion(): Promise<number>
  close(): Promise<void>
}

/** `($1, $2, $3), ($4, $5, $6), …` for `rows` rows of `width` values, numbered from `first`. */
export function valuesList(rows: number, width: number, first = 1): string {
  const groups: string[] = []
  for (let r = 0; r < rows; r++) {
    const cells: string[] = []
    for (let c = 0; c < width; c++) cells.push(`$${first + r * width + c}`)
    groups.push(`(${cells.join(', ')})`)
  }
  return groups.join(', ')
}

/** `$1, $2, …` for an `IN (…)` list of `count` values, numbered from `first`. */
export function inList(count: number, first = 1): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ')
}
