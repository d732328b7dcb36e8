import { z } from 'zod';
import { USER_ROLES } from '../storage/index.js';
import { ErrorBodySchema } from './errors.js';

/** The error body under each status a route documents. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof ErrorBodySchema> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBodySchema])) as Record<
    S,
    typeof ErrorBodySchema
  >;
}

export const RoleSchema = z.enum(USER_ROLES).describe('viewer < trader < admin');

/** Engine views and engine-shaped results: documented by description, passed through as they are. */
export const AnyJson = z.unknown();

/** Epoch milliseconds as a query string value. */
export const EpochMsQuery = z.coerce.number().int().min(0).max(8_640_000_000_000_000);
