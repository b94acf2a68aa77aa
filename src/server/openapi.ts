/**
 * The OpenAPI 3.1 document of the REST API, served at /api/v1/openapi.json. Written as data next
 * to the routes it describes; the server test checks that every route it lists answers.
 */
type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const listOf = (item: Schema): Schema => ({
  type: 'object',
  required: ['data', 'next_cursor'],
  properties: { data: { type: 'array', items: item }, next_cursor: { type: ['string', 'null'], description: 'pass as ?cursor= for the next page' } },
});
const json = (schema: Schema, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);
const pathId = (name = 'id', description = 'id (or, for workflows, name)') => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });
const queryParam = (name: string, schema: Schema, description: string) => ({ name, in: 'query', required: false, schema, description });
const paging = [queryParam('limit', { type: 'integer', minimum: 1, maximum: 1000, default: 50 }, 'items per page'), queryParam('cursor', { type: 'string' }, 'next_cursor of the previous page')];
const waitParam = queryParam('wait', { type: 'boolean', default: false }, 'answer with the finished execution instead of 202');

const common = {
  '400': error('bad input: details lists every bad field with its path'),
  '401': error('missing or wrong API token'),
  '500': error('internal error (details are in the server log)'),
};
const notFound = { '404': error('not found') };

export const STATIC_OPENAPI_PATHS = [
  '/api/v1/workflows',
  '/api/v1/workflows/{id}',
  '/api/v1/workflows/{id}/versions',
  '/api/v1/workflows/{id}/activate',
  '/api/v1/workflows/{id}/deactivate',
  '/api/v1/workflows/{id}/run',
  '/api/v1/executions',
  '/api/v1/executions/{id}',
  '/api/v1/executions/{id}/cancel',
  '/api/v1/executions/{id}/retry',
  '/api/v1/nodes',
  '/api/v1/nodes/{type}',
  '/api/v1/credentials',
  '/api/v1/credentials/{id}',
  '/api/v1/credentials/{id}/test',
  '/api/v1/settings',
  '/api/v1/openapi.json',
];

export function openApiDocument(version: string, serverUrl: string): Schema {
  const workflowBody = {
    required: true,
    content: {
      'application/json': { schema: ref('Workflow') },
      'application/yaml': { schema: { type: 'string', description: 'the workflow as YAML text' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Skynette API',
      version,
      description:
        'Every request needs "Authorization: Bearer <token>" (`skynette token` prints it). Lists answer {data, next_cursor}; errors answer {error: {code, message, details}}.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/workflows': {
        get: {
          summary: 'List workflows',
          parameters: [queryParam('search', { type: 'string' }, 'part of the name, any case'), queryParam('tag', { type: 'string' }, 'an exact tag'), ...paging],
          responses: { '200': json(listOf(ref('WorkflowSummary'))), ...common },
        },
        post: {
          summary: 'Create a workflow',
          requestBody: workflowBody,
          responses: { '201': json(ref('Workflow'), 'created'), '409': error('id or name taken'), '413': error('body too large'), ...common },
        },
      },
      '/api/v1/workflows/{id}': {
        parameters: [pathId()],
        get: {
          summary: 'Get a workflow (the object of its YAML file)',
          parameters: [queryParam('version', { type: 'integer', minimum: 1 }, 'an older version')],
          responses: { '200': json(ref('Workflow')), ...notFound, ...common },
        },
        put: {
          summary: 'Save a new version of a workflow',
          requestBody: workflowBody,
          responses: { '200': json(ref('Workflow')), ...notFound, '409': error('name taken, or a webhook path of the active workflow is taken'), '422': error('an active workflow whose new version cannot be served'), ...common },
        },
        delete: { summary: 'Delete a workflow and its versions (executions stay)', responses: { '204': { description: 'deleted' }, ...notFound, ...common } },
      },
      '/api/v1/workflows/{id}/versions': {
        parameters: [pathId()],
        get: { summary: 'Versions, newest first', parameters: paging, responses: { '200': json(listOf(ref('WorkflowVersion'))), ...notFound, ...common } },
      },
      '/api/v1/workflows/{id}/activate': {
        parameters: [pathId()],
        post: {
          summary: 'Serve the workflow’s webhooks and schedules',
          responses: { '200': json(ref('Activation')), ...notFound, '409': error('another active workflow serves the same method and path'), '422': error('nothing to serve, or a trigger is misconfigured'), ...common },
        },
      },
      '/api/v1/workflows/{id}/deactivate': {
        parameters: [pathId()],
        post: { summary: 'Stop serving the workflow', responses: { '200': json(ref('Activation')), ...notFound, ...common } },
      },
      '/api/v1/workflows/{id}/run': {
        parameters: [pathId()],
        post: {
          summary: 'Run the workflow now; the body is the trigger data',
          parameters: [waitParam],
          requestBody: { required: false, content: { 'application/json': { schema: {} } } },
          responses: { '200': json(ref('Execution'), 'finished (with ?wait=true)'), '202': json(ref('Started'), 'started'), ...notFound, '422': error('the workflow is not valid'), ...common },
        },
      },
      '/api/v1/executions': {
        get: {
          summary: 'List executions, newest first',
          parameters: [
            queryParam('workflow', { type: 'string' }, 'workflow id or name'),
            queryParam('status', { type: 'string' }, 'comma-separated: queued, running, completed, failed, cancelled'),
            queryParam('since', { type: 'string', format: 'date-time' }, 'started at or after'),
            ...paging,
          ],
          responses: { '200': json(listOf(ref('ExecutionSummary'))), ...common },
        },
      },
      '/api/v1/executions/{id}': {
        parameters: [pathId('id', 'execution id')],
        get: { summary: 'An execution with every node’s result', responses: { '200': json(ref('Execution')), ...notFound, ...common } },
        delete: { summary: 'Delete a finished execution', responses: { '204': { description: 'deleted' }, ...notFound, '409': error('still running'), ...common } },
      },
      '/api/v1/executions/{id}/cancel': {
        parameters: [pathId('id', 'execution id')],
        post: { summary: 'Cancel a running execution', responses: { '200': json(ref('Execution')), ...notFound, '409': error('not running'), ...common } },
      },
      '/api/v1/executions/{id}/retry': {
        parameters: [pathId('id', 'execution id')],
        post: {
          summary: 'Run a finished execution again as a new one, reusing the results before from_node',
          parameters: [waitParam],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    from_node: { type: 'string', description: 'node id or name; default: the node that failed' },
                    version: { type: 'string', enum: ['same', 'latest'], default: 'same' },
                  },
                },
              },
            },
          },
          responses: { '200': json(ref('Execution'), 'finished (with ?wait=true)'), '202': json(ref('Started'), 'started'), ...notFound, '409': error('still running'), ...common },
        },
      },
      '/api/v1/nodes': { get: { summary: 'The node catalog', responses: { '200': json(listOf(ref('NodeType'))), ...common } } },
      '/api/v1/nodes/{type}': {
        parameters: [pathId('type', 'node type id')],
        get: { summary: 'One node type with its fields', responses: { '200': json(ref('NodeType')), ...notFound, ...common } },
      },
      '/api/v1/credentials': {
        get: { summary: 'List credentials (no values)', responses: { '200': json(listOf(ref('CredentialSummary'))), ...common } },
        post: {
          summary: 'Add a credential',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['type', 'name', 'fields'],
                  properties: { type: { type: 'string' }, name: { type: 'string' }, fields: { type: 'object' }, meta: { type: 'object' } },
                },
              },
            },
          },
          responses: { '201': json(ref('Credential'), 'created (values masked)'), '409': error('name taken'), ...common },
        },
      },
      '/api/v1/credentials/{id}': {
        parameters: [pathId('id', 'credential id or name')],
        get: { summary: 'A credential, values masked', responses: { '200': json(ref('Credential')), ...notFound, ...common } },
        put: {
          summary: 'Change a credential (fields are merged; null removes one)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { type: 'object', properties: { name: { type: 'string' }, fields: { type: 'object' }, replace_fields: { type: 'boolean' }, meta: { type: 'object' } } },
              },
            },
          },
          responses: { '200': json(ref('Credential')), ...notFound, ...common },
        },
        delete: { summary: 'Delete a credential', responses: { '204': { description: 'deleted' }, ...notFound, ...common } },
      },
      '/api/v1/credentials/{id}/test': {
        parameters: [pathId('id', 'credential id or name')],
        post: {
          summary: 'Try the credential (databases: select 1; HTTP credentials: GET base_url)',
          responses: {
            '200': json({ type: 'object', properties: { ok: { type: 'boolean' }, message: { type: 'string' }, duration_ms: { type: 'number' } } }),
            ...notFound,
            '422': error('this credential type cannot be tested'),
            ...common,
          },
        },
      },
      '/api/v1/settings': {
        get: { summary: 'Every setting', responses: { '200': json({ type: 'object', additionalProperties: true }), ...common } },
        put: {
          summary: 'Change settings (all checked before any is stored)',
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } } },
          responses: { '200': json({ type: 'object', additionalProperties: true }), ...common },
        },
      },
      '/api/v1/openapi.json': { get: { summary: 'This document', responses: { '200': json({ type: 'object' }) } } },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the token printed by `skynette token`' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'details'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: { description: 'for 400: [{path, message}, ...]' } },
            },
          },
        },
        Workflow: {
          type: 'object',
          description: 'the same object as the workflow’s YAML file',
          required: ['name', 'nodes'],
          additionalProperties: true,
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            description: { type: 'string' },
            version: { type: 'integer' },
            nodes: {
              type: 'array',
              items: {
                type: 'object',
                required: ['type'],
                properties: {
                  id: { type: 'string' },
                  type: { type: 'string' },
                  name: { type: 'string' },
                  position: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } },
                  config: { type: 'object' },
                  enabled: { type: 'boolean' },
                },
              },
            },
            connections: {
              type: 'array',
              items: {
                type: 'object',
                required: ['source_node_id', 'target_node_id'],
                properties: {
                  id: { type: 'string' },
                  source_node_id: { type: 'string' },
                  source_port: { type: 'string' },
                  target_node_id: { type: 'string' },
                  target_port: { type: 'string' },
                },
              },
            },
            variables: { type: 'object' },
            settings: {
              type: 'object',
              properties: { timeout_ms: { type: 'number' }, max_output_bytes: { type: 'number' }, save_executions: { type: 'boolean' } },
            },
            tags: { type: 'array', items: { type: 'string' } },
            created_at: { type: 'string' },
            updated_at: { type: 'string' },
          },
        },
        WorkflowSummary: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            description: { type: 'string' },
            version: { type: 'integer' },
            active: { type: 'boolean' },
            tags: { type: 'array', items: { type: 'string' } },
            created_at: { type: 'string' },
            updated_at: { type: 'string' },
            schedules: { type: 'array', items: ref('Schedule') },
          },
        },
        WorkflowVersion: {
          type: 'object',
          properties: { workflow_id: { type: 'string' }, version: { type: 'integer' }, checksum: { type: 'string' }, source: { type: 'string' }, created_at: { type: 'string' } },
        },
        Schedule: {
          type: 'object',
          properties: { node_id: { type: 'string' }, schedule: { type: 'string' }, timezone: { type: ['string', 'null'] }, next_runs: { type: 'array', items: { type: 'string', format: 'date-time' } } },
        },
        Activation: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            version: { type: 'integer' },
            active: { type: 'boolean' },
            webhooks: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  node_id: { type: 'string' },
                  method: { type: 'string' },
                  path: { type: 'string' },
                  url: { type: 'string' },
                  test_url: { type: 'string' },
                  auth_type: { type: 'string' },
                  response_mode: { type: 'string' },
                },
              },
            },
            schedules: { type: 'array', items: ref('Schedule') },
          },
        },
        Started: { type: 'object', properties: { execution_id: { type: 'string' }, workflow_id: { type: 'string' }, status: { type: 'string' } } },
        ExecutionSummary: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            workflow_id: { type: 'string' },
            workflow_name: { type: 'string' },
            workflow_version: { type: 'integer' },
            status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed', 'cancelled'] },
            mode: { type: 'string' },
            started_at: { type: 'string' },
            finished_at: { type: ['string', 'null'] },
            duration_ms: { type: ['number', 'null'] },
            error: { type: ['object', 'null'] },
          },
        },
        Execution: {
          allOf: [
            ref('ExecutionSummary'),
            {
              type: 'object',
              properties: { trigger_data: {}, variables: { type: 'object' }, node_results: { type: 'array', items: ref('NodeResult') } },
            },
          ],
        },
        NodeResult: {
          type: 'object',
          properties: {
            key: { type: 'string' },
            node_id: { type: 'string' },
            node_name: { type: 'string' },
            node_type: { type: 'string' },
            status: { type: 'string', enum: ['running', 'completed', 'failed', 'skipped', 'disabled', 'cancelled'] },
            output: {},
            ports: { type: 'array', items: { type: 'string' } },
            error: { type: ['object', 'null'] },
            attempts: { type: 'integer' },
            started_at: { type: ['string', 'null'] },
            finished_at: { type: ['string', 'null'] },
            duration_ms: { type: ['number', 'null'] },
            logs: { type: 'array', items: { type: 'object' } },
          },
        },
        NodeType: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            name: { type: 'string' },
            description: { type: 'string' },
            category: { type: 'string' },
            kind: { type: 'string', enum: ['trigger', 'loop', 'action'] },
            inputs: { type: 'array', items: { type: 'string' } },
            outputs: { type: 'array', items: { type: 'string' } },
            fields: { type: 'array', items: { type: 'object' } },
          },
        },
        CredentialSummary: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            type: { type: 'string' },
            field_names: { type: 'array', items: { type: 'string' } },
            key_id: { type: 'string' },
            meta: { type: 'object' },
            created_at: { type: 'string' },
            updated_at: { type: 'string' },
          },
        },
        Credential: { allOf: [ref('CredentialSummary'), { type: 'object', properties: { fields: { type: 'object', description: 'secret values masked' } } }] },
      },
    },
  };
}
