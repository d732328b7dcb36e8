import { z } from 'zod';

/**
 * Request bodies at the REST boundary. Angel's documented bodies carry strings, but SDKs also send
 * numbers (Java) and sometimes omit optional fields, so every scalar is accepted as string or number and
 * normalised to a string; absent fields become ''.
 */
const text = z
  .union([z.string(), z.number(), z.null(), z.undefined()])
  .transform((value) => (value === null || value === undefined ? '' : String(value)));

export const LoginBody = z.looseObject({
  clientcode: text,
  password: text,
  totp: text,
  state: z.union([z.string(), z.undefined()]).optional(),
});

export const RefreshBody = z.looseObject({ refreshToken: text });

export const LtpBody = z.looseObject({ exchange: text, tradingsymbol: text, symboltoken: text });

export const HistoryBody = z.looseObject({
  exchange: text,
  symboltoken: text,
  interval: text,
  fromdate: text,
  todate: text,
});

export const SearchScripBody = z.looseObject({ exchange: text, searchscrip: text });

export const OptionGreekBody = z.looseObject({ name: text, expirydate: text });

/** Parses `body` with `schema`; undefined when it does not fit (callers answer with Angel's envelope). */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> | undefined {
  const result = schema.safeParse(body ?? {});
  return result.success ? result.data : undefined;
}
