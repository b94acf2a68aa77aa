/**
 * Field declarations of a node. One list drives config validation, `skynette nodes describe`,
 * docs/nodes.md and the editor's forms, so a field is written once.
 */

export type FieldType =
  | 'string'
  | 'text'
  | 'number'
  | 'boolean'
  | 'select'
  | 'multi_select'
  | 'json'
  | 'expression'
  | 'file'
  | 'secret'
  | 'credential';

export interface SelectOption {
  value: string;
  label?: string;
}

export interface FieldSpec {
  type: FieldType;
  label?: string;
  description?: string;
  required?: boolean;
  default?: unknown;
  /** Keep `{{ }}` text as typed instead of resolving it before run (code, templates resolved later). */
  raw?: boolean;
  placeholder?: string;
  /** number */
  min?: number;
  max?: number;
  integer?: boolean;
  /** select, multi_select */
  options?: SelectOption[];
  /** json: the JSON kind expected */
  shape?: 'object' | 'array' | 'any';
  /** text: a hint for editors, e.g. "javascript", "sql" */
  language?: string;
  /** credential: the credential type(s) accepted */
  credential_types?: string[];
  /** Show this field in forms only when another field has one of these values. */
  show_if?: Record<string, unknown[]>;
}

type Opts = Omit<FieldSpec, 'type'>;

function options(list: Array<string | SelectOption>): SelectOption[] {
  return list.map((o) => (typeof o === 'string' ? { value: o } : o));
}

export const field = {
  string: (o: Opts = {}): FieldSpec => ({ type: 'string', ...o }),
  text: (o: Opts = {}): FieldSpec => ({ type: 'text', ...o }),
  number: (o: Opts = {}): FieldSpec => ({ type: 'number', ...o }),
  boolean: (o: Opts = {}): FieldSpec => ({ type: 'boolean', ...o }),
  select: (list: Array<string | SelectOption>, o: Opts = {}): FieldSpec => ({ type: 'select', ...o, options: options(list) }),
  multiSelect: (list: Array<string | SelectOption>, o: Opts = {}): FieldSpec => ({
    type: 'multi_select',
    ...o,
    options: options(list),
  }),
  json: (o: Opts = {}): FieldSpec => ({ type: 'json', shape: 'any', ...o }),
  expression: (o: Opts = {}): FieldSpec => ({ type: 'expression', ...o }),
  file: (o: Opts = {}): FieldSpec => ({ type: 'file', ...o }),
  secret: (o: Opts = {}): FieldSpec => ({ type: 'secret', ...o }),
  credential: (types: string[], o: Opts = {}): FieldSpec => ({ type: 'credential', ...o, credential_types: types }),
};

export type FieldMap = Record<string, FieldSpec>;
