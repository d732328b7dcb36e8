/** The instrument master's path on Angel's CDN host; the simulator serves it from the same origin. */
export const SCRIP_MASTER_PATH = '/OpenAPI_File/files/OpenAPIScripMaster.json';

const ALIAS_PREFIX = /^\/(?:order-service|gtt-service)(?=\/rest\/)/;
const DOCS_MARKET_DATA_ALIAS =
  /^\/rest\/secure\/angelbroking\/order\/v1\/(optionGreek|gainersLosers|putCallRatio|OIBuildup)$/;

/**
 * Maps every spelling of a route that SDKs and the docs use onto one canonical path (reference §3.1):
 * query strings dropped (the Python SDK puts a JSON blob there on GET; no route reads the query),
 * doubled slashes collapsed (SDKs join routes with and without a leading `/`), the `/order-service` and
 * `/gtt-service` prefixes removed, a trailing slash removed, and the docs' `order/v1/{optionGreek,…}`
 * samples mapped to the SDKs' `marketData/v1/…`.
 */
export function canonicalPath(url: string): string {
  const queryAt = url.indexOf('?');
  let path = queryAt === -1 ? url : url.slice(0, queryAt);
  path = `/${path}`.replace(/\/{2,}/g, '/');
  path = path.replace(ALIAS_PREFIX, '');
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const docsAlias = DOCS_MARKET_DATA_ALIAS.exec(path);
  if (docsAlias) path = `/rest/secure/angelbroking/marketData/v1/${docsAlias[1]}`;
  return path;
}
