/**
 * The file `skynette credentials export` writes and `import` reads: encrypted records as stored
 * (readable only with the same master key), or with --decrypted the plain fields.
 */
import { z } from 'zod';
import { SkynetteError, errorMessage } from '../util/errors.js';
import { formatFieldIssues } from './types/registry.js';

export const EXPORT_FORMAT = 'skynette-credentials';
export const EXPORT_VERSION = 1;

const common = {
  id: z.string().min(1).optional(),
  name: z.string(),
  type: z.string().min(1),
  meta: z.record(z.string(), z.unknown()).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
};

export const encryptedRecordSchema = z.object({
  ...common,
  id: z.string().min(1),
  key_id: z.string().min(1),
  nonce: z.string().min(1),
  ciphertext: z.string().min(1),
  auth_tag: z.string().min(1),
  field_names: z.array(z.string()).optional(),
});

export const plainRecordSchema = z.object({
  ...common,
  fields: z.record(z.string(), z.unknown()),
});

export type EncryptedRecord = z.infer<typeof encryptedRecordSchema>;
export type PlainRecord = z.infer<typeof plainRecordSchema>;

export interface CredentialExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exported_at: string;
  encrypted: boolean;
  /** The key the encrypted records need. */
  key_id?: string;
  credentials: Array<EncryptedRecord | PlainRecord>;
}

export const exportFileSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  exported_at: z.string().optional(),
  encrypted: z.boolean().optional(),
  key_id: z.string().optional(),
  credentials: z.array(z.record(z.string(), z.unknown())),
});

/**
 * Reads an export (JSON text or an already parsed value; a bare list of records works too) and
 * checks every record's shape. All problems are reported at once, with their paths.
 */
export function parseImportFile(input: string | unknown): Array<EncryptedRecord | PlainRecord> {
  const invalid = (message: string) => new SkynetteError('CREDENTIAL_IMPORT_INVALID', `${message}; nothing was imported`);
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (error) {
      // The parser's message quotes the text around the error, which may be a secret.
      const position = /position (\d+)/.exec(errorMessage(error))?.[1];
      throw invalid(`the import is not valid JSON${position ? ` (error at character ${position})` : ''}`);
    }
  }
  let items: Array<Record<string, unknown>>;
  if (Array.isArray(data)) items = data as Array<Record<string, unknown>>;
  else {
    const file = exportFileSchema.safeParse(data, { reportInput: true });
    if (!file.success) throw invalid(`not a Skynette credentials export (${formatFieldIssues(file.error.issues, '').join('; ')})`);
    items = file.data.credentials;
  }
  const records: Array<EncryptedRecord | PlainRecord> = [];
  const problems: string[] = [];
  items.forEach((item, i) => {
    const at = `credentials[${i}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(`${at}: expected an object`);
      return;
    }
    const schema = 'ciphertext' in item ? encryptedRecordSchema : plainRecordSchema;
    const parsed = schema.safeParse(item, { reportInput: true });
    if (parsed.success) records.push(parsed.data);
    else problems.push(...formatFieldIssues(parsed.error.issues, at));
  });
  if (problems.length) throw invalid(problems.join('\n'));
  return records;
}
