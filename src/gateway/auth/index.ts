export {
  ACCESS_TOKEN_TTL_MS,
  AuthService,
  type AuthServiceOptions,
  DEFAULT_LOGIN_LIMIT,
  MIN_PASSWORD_LENGTH,
  normaliseUsername,
  passwordProblem,
  type Principal,
  REFRESH_TOKEN_TTL_MS,
  type TokenPair,
  type UserChange,
  type UserSummary,
} from './service.js';
export { authRoutes } from './routes.js';
