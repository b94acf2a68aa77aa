/**
 * The tables as Kysely sees them. Both dialects store the same shapes: JSON as text, times as
 * ISO-8601 UTC text (they sort as text), binary as base64 text. Booleans are written as JS
 * booleans (the SQLite driver binds them as 1/0) and read back with Boolean().
 */
import type { Generated } from 'kysely';

export interface WorkflowsTable {
  id: string;
  name: string;
  slug: string;
  description: Generated<string>;
  current_version: number;
  active: Generated<boolean | number>;
  /** JSON list of strings. */
  tags: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface WorkflowVersionsTable {
  workflow_id: string;
  version: number;
  /** The whole Workflow object as JSON. */
  definition: string;
  /** sha256 (hex) of the canonical JSON of the workflow without version and timestamps. */
  checksum: string;
  /** Where this version came from: cli, file, api, ... */
  source: string;
  created_at: string;
}

export interface ExecutionsTable {
  id: string;
  workflow_id: string;
  workflow_version: number;
  workflow_name: string;
  status: string;
  mode: string;
  trigger_data: string | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
  variables: Generated<string>;
  updated_at: string;
}

export interface ExecutionNodesTable {
  execution_id: string;
  key: string;
  /** Start order within the execution. */
  seq: number;
  node_id: string;
  node_name: string;
  node_type: string;
  status: string;
  /** JSON, or NULL when the output is kept in execution_data (see output_ref). */
  output: string | null;
  output_ref: string | null;
  ports: Generated<string>;
  error: string | null;
  continued: Generated<boolean | number>;
  attempts: Generated<number>;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  logs: Generated<string>;
}

export interface ExecutionDataTable {
  id: string;
  execution_id: string;
  /** A large node output, as JSON. */
  data: string;
}

export interface SettingsTable {
  key: string;
  /** JSON. */
  value: string;
  updated_at: string;
}

export interface CredentialsTable {
  id: string;
  name: string;
  type: string;
  key_id: string;
  /** base64 */
  nonce: string;
  /** base64 */
  ciphertext: string;
  /** base64 */
  auth_tag: string;
  /** JSON of non-secret information. */
  meta: Generated<string>;
  created_at: string;
  updated_at: string;
}

export interface MigrationsTable {
  name: string;
  applied_at: string;
}

export interface Schema {
  workflows: WorkflowsTable;
  workflow_versions: WorkflowVersionsTable;
  executions: ExecutionsTable;
  execution_nodes: ExecutionNodesTable;
  execution_data: ExecutionDataTable;
  settings: SettingsTable;
  credentials: CredentialsTable;
  skynette_migrations: MigrationsTable;
}
