import { z } from 'zod';
import { defineCredentialType, field } from './define.js';

export const smtpType = defineCredentialType({
  type: 'smtp',
  name: 'SMTP server',
  description: 'an SMTP server for sending mail',
  fields: {
    host: field.text().describe('server host name'),
    port: field.port().default(587).describe('port (587 with STARTTLS, 465 with TLS, 25)'),
    secure: field.flag().default(false).describe('TLS from the start (true for port 465)'),
    username: field.text().optional().describe('user name (leave out for an open relay)'),
    password: z.string().optional().describe('password'),
  },
  secret: ['password'],
  check(fields, ctx) {
    if (fields.password !== undefined && fields.username === undefined) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'required when a password is set' });
    }
  },
});

export const imapType = defineCredentialType({
  type: 'imap',
  name: 'IMAP server',
  description: 'an IMAP mailbox for reading mail',
  fields: {
    host: field.text().describe('server host name'),
    port: field.port().default(993).describe('port (993 with TLS, 143 plain or STARTTLS)'),
    secure: field.flag().default(true).describe('TLS from the start (true for port 993)'),
    username: field.text().describe('user name'),
    password: z.string().describe('password'),
  },
  secret: ['password'],
});
