/**
 * The file `skynette credentials export` writes and `import` reads: encrypted records as stored
 * (readable only with the same master key), or with --decrypted the plain fields.
 */
import { z } from 'zod';

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
