export {
  DATA_QUALITIES,
  DEFAULT_VALIDATOR_CONFIG,
  VALIDATION_REASONS,
  ValidationSlot,
  Validator,
  type ValidatorConfig,
  type ValidatorOptions,
  type ValidatorStats,
  type Verdict,
} from './validator.js';
