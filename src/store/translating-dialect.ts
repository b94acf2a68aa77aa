/**
 * Wraps a Kysely dialect so every driver error (connecting, querying, committing) leaves as a
 * SkynetteError with a code, whichever repository or query caused it.
 */
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, Kysely, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';

type Translate = (error: unknown) => Error;

class TranslatingConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly translate: Translate,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(compiledQuery);
    } catch (error) {
      throw this.translate(error);
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } catch (error) {
      throw this.translate(error);
    }
  }
}

class TranslatingDriver implements Driver {
  private readonly wrappers = new WeakMap<DatabaseConnection, TranslatingConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly translate: Translate,
  ) {}

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private unwrap(connection: DatabaseConnection): DatabaseConnection {
    return connection instanceof TranslatingConnection ? connection.inner : connection;
  }

  init(): Promise<void> {
    return this.guard(() => this.inner.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.guard(() => this.inner.acquireConnection());
    let wrapper = this.wrappers.get(connection);
    if (!wrapper) {
      wrapper = new TranslatingConnection(connection, this.translate);
      this.wrappers.set(connection, wrapper);
    }
    return wrapper;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.guard(() => this.inner.beginTransaction(this.unwrap(connection), settings));
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.guard(() => this.inner.commitTransaction(this.unwrap(connection)));
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.guard(() => this.inner.rollbackTransaction(this.unwrap(connection)));
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(this.unwrap(connection));
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

export class TranslatingDialect implements Dialect {
  constructor(
    private readonly inner: Dialect,
    private readonly translate: Translate,
  ) {}

  createDriver(): Driver {
    const driver = this.inner.createDriver();
    const wrapped = new TranslatingDriver(driver, this.translate);
    // Savepoints are optional driver methods: pass them through only when the driver has them.
    const withSavepoints = wrapped as Driver;
    if (driver.savepoint) withSavepoints.savepoint = (c, name, compile) => driver.savepoint!((c as TranslatingConnection).inner ?? c, name, compile);
    if (driver.rollbackToSavepoint) withSavepoints.rollbackToSavepoint = (c, name, compile) => driver.rollbackToSavepoint!((c as TranslatingConnection).inner ?? c, name, compile);
    if (driver.releaseSavepoint) withSavepoints.releaseSavepoint = (c, name, compile) => driver.releaseSavepoint!((c as TranslatingConnection).inner ?? c, name, compile);
    return wrapped;
  }

  createQueryCompiler(): QueryCompiler {
    return this.inner.createQueryCompiler();
  }

  createAdapter() {
    return this.inner.createAdapter();
  }

  createIntrospector(db: Kysely<any>) {
    return this.inner.createIntrospector(db);
  }
}
