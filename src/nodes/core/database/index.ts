import type { RegisteredNode } from '../../sdk.js';
import { mysqlQuery } from './mysql-query.js';
import { postgresqlQuery } from './postgresql-query.js';
import { sqliteQuery } from './sqlite-query.js';

export const databaseNodes: RegisteredNode[] = [sqliteQuery, postgresqlQuery, mysqlQuery];
