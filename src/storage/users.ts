import type { Kysely, Selectable } from 'kysely';
import { corrupt } from './checks.js';
import type { RefreshTokensTable, StorageTables, UsersTable } from './schema.js';

export const USER_ROLES = ['viewer', 'trader', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export function isUserRole(value: string): value is UserRole {
  return (USER_ROLES as readonly string[]).includes(value);
}

export interface StoredUser {
  id: number;
  username: string;
  /** argon2id PHC string */
  passwordHash: string;
  role: UserRole;
  createdAtMs: number;
  disabled: boolean;
}

export interface NewUser {
  username: string;
  passwordHash: string;
  role: UserRole;
  createdAtMs: number;
}

export interface StoredRefreshToken {
  id: number;
  userId: number;
  /** sha-256 hex of the opaque token */
  tokenHash: string;
  familyId: string;
  createdAtMs: number;
  expiresAtMs: number;
  revokedAtMs: number | undefined;
  replacedBy: number | undefined;
}

export interface NewRefreshToken {
  userId: number;
  tokenHash: string;
  familyId: string;
  createdAtMs: number;
  expiresAtMs: number;
}

function userFromRow(r: Selectable<UsersTable>): StoredUser {
  if (!isUserRole(r.role)) throw corrupt('users', `user ${r.id} has unknown role ${r.role}`);
  return {
    id: r.id,
    username: r.username,
    passwordHash: r.password_hash,
    role: r.role,
    createdAtMs: r.created_at_ms,
    disabled: r.disabled !== 0,
  };
}

function tokenFromRow(r: Selectable<RefreshTokensTable>): StoredRefreshToken {
  return {
    id: r.id,
    userId: r.user_id,
    tokenHash: r.token_hash,
    familyId: r.family_id,
    createdAtMs: r.created_at_ms,
    expiresAtMs: r.expires_at_ms,
    revokedAtMs: r.revoked_at_ms ?? undefined,
    replacedBy: r.replaced_by ?? undefined,
  };
}

/** Users and their refresh tokens (stored hashed). Usernames are compared exactly (callers normalise). */
export class UserRepository {
  constructor(private readonly db: Kysely<StorageTables>) {}

  /** Inserts a user; a duplicate username fails with the database's unique-constraint error. */
  async create(user: NewUser): Promise<StoredUser> {
    const row = await this.db
      .insertInto('users')
      .values({
        username: user.username,
        password_hash: user.passwordHash,
        role: user.role,
        created_at_ms: user.createdAtMs,
        disabled: 0,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return userFromRow(row);
  }

  async findByUsername(username: string): Promise<StoredUser | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
    return row === undefined ? undefined : userFromRow(row);
  }

  async findById(id: number): Promise<StoredUser | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : userFromRow(row);
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Disables or re-enables a user; returns whether the user exists. */
  async setDisabled(id: number, disabled: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ disabled: disabled ? 1 : 0 })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Every user, by username (the admin list; a deployment has a handful). */
  async list(): Promise<StoredUser[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(userFromRow);
  }

  /** Changes a user's role; returns whether the user exists. */
  async setRole(id: number, role: UserRole): Promise<boolean> {
    const result = await this.db.updateTable('users').set({ role }).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Revokes every still-active refresh token of a user (on disable); returns how many. */
  async revokeUserTokens(userId: number, nowMs: number): Promise<number> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at_ms: nowMs })
      .where('user_id', '=', userId)
      .where('revoked_at_ms', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async insertRefreshToken(token: NewRefreshToken): Promise<StoredRefreshToken> {
    const row = await this.db
      .insertInto('refresh_tokens')
      .values({
        user_id: token.userId,
        token_hash: token.tokenHash,
        family_id: token.familyId,
        created_at_ms: token.createdAtMs,
        expires_at_ms: token.expiresAtMs,
        revoked_at_ms: null,
        replaced_by: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return tokenFromRow(row);
  }

  async findRefreshToken(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row === undefined ? undefined : tokenFromRow(row);
  }

  /**
   * Revokes one token if it is still active (optionally naming its replacement). Returns false when it
   * was already revoked, so two concurrent rotations of one token cannot both succeed.
   */
  async revokeRefreshToken(id: number, nowMs: number, replacedBy?: number): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at_ms: nowMs, replaced_by: replacedBy ?? null })
      .where('id', '=', id)
      .where('revoked_at_ms', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Revokes every still-active token of a family; returns how many. */
  async revokeFamily(familyId: string, nowMs: number): Promise<number> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ revoked_at_ms: nowMs })
      .where('family_id', '=', familyId)
      .where('revoked_at_ms', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
