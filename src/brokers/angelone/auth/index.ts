export {
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  type TotpCheck,
  currentTotp,
  generateTotp,
  normaliseTotpSecret,
  verifyTotp,
} from './totp.js';
