/**
 * The Skynette workflow format, field for field as the original Skynette wrote it, so its files load
 * unchanged. A workflow travels as this same object in YAML files, JSON files and the REST API.
 */

export interface Position {
  x: number;
  y: number;
}

export interface WorkflowNode {
  id: string;
  type: string;
  name: string;
  position: Position;
  config: Record<string, unknown>;
  enabled: boolean;
  /** Keys of the node we do not know, kept so a save does not lose them. */
  [extra: string]: unknown;
}

export interface Connection {
  id: string;
  source_node_id: string;
  source_port: string;
  target_node_id: string;
  target_port: string;
}

export interface WorkflowSettings {
  /** Whole-run timeout. */
  timeout_ms?: number;
  /** Largest JSON size of one node's output. */
  max_output_bytes?: number;
  /** false: executions of this workflow are not saved (webhook speed mode). */
  save_executions?: boolean;
  [key: string]: unknown;
}

export interface Workflow {
  id: string;
  name: string;
  description: string;
  version: number;
  nodes: WorkflowNode[];
  connections: Connection[];
  variables: Record<string, unknown>;
  settings: WorkflowSettings;
  tags: string[];
  created_at: string;
  updated_at: string;
  /** Unknown top-level keys, reported as warnings and written back unchanged. */
  extra?: Record<string, unknown>;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

export const KNOWN_WORKFLOW_KEYS = [
  'id',
  'name',
  'description',
  'version',
  'nodes',
  'connections',
  'variables',
  'settings',
  'tags',
  'created_at',
  'updated_at',
] as const;

export const KNOWN_NODE_KEYS = ['id', 'type', 'name', 'position', 'config', 'enabled'] as const;
