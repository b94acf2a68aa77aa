/**
 * A Kysely driver for one better-sqlite3 connection. Unlike Kysely's own it keeps prepared
 * statements (the checkpoint writes run the same few statements thousands of times a second),
 * starts every transaction with BEGIN IMMEDIATE (our transactions all write: taking the write
 * lock up front makes a second process wait on the busy timeout instead of failing on upgrade),
 * and binds booleans as 1/0.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';

const STATEMENT_CACHE_SIZE = 256;

/** SQLite has one connection: callers queue for it. */
class ConnectionLock {
  private tail: Promise<void> = Promise.resolve();
  private release: (() => void) | undefined;

  async acquire(): Promise<void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.release = release;
  }

  unlock(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}

export class SqliteConnection implements DatabaseConnection {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  /** Held by Kysely while it uses the connection (a whole transaction), or by exclusive(). */
  readonly lock = new ConnectionLock();

  constructor(readonly sqlite: BetterSqlite3.Database) {}

  /** Runs synchronous work on the connection when no Kysely query or transaction is using it. */
  async exclusive<T>(work: () => T): Promise<T> {
    await this.lock.acquire();
    try {
      return work();
    } finally {
      this.lock.unlock();
    }
  }

  prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      // Queries built with inlined values would grow the cache without bound.
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      this.statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, parameters: readonly unknown[]): QueryResult<any> {
    const statement = this.prepare(sql);
    const values = bindable(parameters);
    if (statement.reader) return { rows: statement.all(values) };
    const { changes, lastInsertRowid } = statement.run(values);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.run(compiledQuery.sql, compiledQuery.parameters);
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const statement = this.prepare(compiledQuery.sql);
    for (const row of statement.iterate(bindable(compiledQuery.parameters))) yield { rows: [row as R] };
  }
}

function bindable(parameters: readonly unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < parameters.length; i++) {
    if (typeof parameters[i] === 'boolean') {
      out ??= parameters.slice();
      out[i] = parameters[i] ? 1 : 0;
    }
  }
  return out ?? (parameters as unknown[]);
}

export class SqliteDriver implements Driver {
  readonly connection: SqliteConnection;

  constructor(sqlite: BetterSqlite3.Database) {
    this.connection = new SqliteConnection(sqlite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.connection.lock.acquire();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR); nothing left to undo then.
    if (this.connection.sqlite.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.connection.lock.unlock();
  }

  async destroy(): Promise<void> {
    if (this.connection.sqlite.open) this.connection.sqlite.close();
  }
}

/** Kysely's SQLite compiler, adapter and introspector with the driver above. */
export class SkynetteSqliteDialect extends SqliteDialect {
  constructor(private readonly driver: SqliteDriver) {
    super({ database: driver.connection.sqlite as never });
  }

  override createDriver(): Driver {
    return this.driver;
  }
}
