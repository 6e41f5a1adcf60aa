import type { BuiltInRuleName } from './masking-options.interface';
import { apiKeyRule } from './rules/api-key.rule';
import { bearerTokenRule } from './rules/bearer-token.rule';
import { cardNumberRule } from './rules/card-number.rule';
import { emailRule } from './rules/email.rule';
import { ibanRule } from './rules/iban.rule';
import { jwtRule } from './rules/jwt.rule';
import { phoneNumberRule } from './rules/phone-number.rule';
import { privateKeyRule } from './rules/private-key.rule';
import { secretAssignmentRule } from './rules/secret-assignment.rule';
import { ssnRule } from './rules/ssn.rule';
import { urlCredentialsRule } from './rules/url-credentials.rule';
import type { ValueRule } from './rules/value-rule.interface';

/**
 * The rules run on text, in this order: long, specific shapes first (a PEM block, a URL with
 * credentials, a JWT) so that the broad ones (phone numbers) never see their pieces.
 */
export const BUILT_IN_VALUE_RULES: readonly ValueRule[] = [
  privateKeyRule,
  urlCredentialsRule,
  jwtRule,
  secretAssignmentRule,
  bearerTokenRule,
  apiKeyRule,
  emailRule,
  ibanRule,
  cardNumberRule,
  ssnRule,
  phoneNumberRule,
];

export const BUILT_IN_RULE_NAMES: readonly BuiltInRuleName[] = [
  'secretKeys',
  ...BUILT_IN_VALUE_RULES.map((rule) => rule.name as BuiltInRuleName),
];
