/**
 * Which auth modes may reach which type and field, read from the `@aws_*` directives
 * (shared/spec/auth.md §3), computed once per schema so `canAccess` is a map lookup per field.
 *
 * 1. a field's own directives decide; 2. else its type's; 3. else only the default mode;
 * 4. the default mode is not implied once directives exist; 5. checked at every level;
 * 6. Cognito group lists restrict only user-pool callers.
 */
import { isInterfaceType, isObjectType, Kind, type ConstDirectiveNode, type GraphQLSchema } from 'graphql';
import type { AuthContext, AuthMode } from './types.js';

export interface AuthRules {
  /** True when a request authenticated as `auth` may resolve `typeName.fieldName`. */
  canAccess(auth: AuthContext, typeName: string, fieldName: string): boolean;
}

const DIRECTIVE_MODES: Record<string, AuthMode> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
};

/** Modes a field admits; for Cognito, the groups (undefined = any valid token). */
interface FieldRule {
  modes: ReadonlySet<AuthMode>;
  cognitoGroups?: readonly string[];
  /** From `@aws_auth` (legacy): governed by the pool's defaultAction. */
  legacyAuth: boolean;
}

function groupsOf(directive: ConstDirectiveNode): string[] | undefined {
  const arg = directive.arguments?.find((a) => a.name.value === 'cognito_groups');
  if (!arg) return undefined;
  const values = arg.value.kind === Kind.LIST ? arg.value.values : [arg.value];
  return values.filter((v) => v.kind === Kind.STRING).map((v) => (v as { value: string }).value);
}

function ruleFrom(directives: readonly ConstDirectiveNode[] | undefined): FieldRule | undefined {
  const auth = (directives ?? []).filter((d) => d.name.value in DIRECTIVE_MODES);
  if (auth.length === 0) return undefined;
  const modes = new Set<AuthMode>();
  let cognitoGroups: string[] | undefined;
  let anyCognito = false;
  let legacyAuth = false;
  for (const d of auth) {
    modes.add(DIRECTIVE_MODES[d.name.value]!);
    if (d.name.value === 'aws_auth') legacyAuth = true;
    if (d.name.value === 'aws_cognito_user_pools' || d.name.value === 'aws_auth') {
      const groups = groupsOf(d);
      if (groups === undefined) anyCognito = true;
      else cognitoGroups = [...(cognitoGroups ?? []), ...groups];
    }
  }
  return { modes, cognitoGroups: anyCognito ? undefined : cognitoGroups, legacyAuth };
}

export function buildAuthRules(schema: GraphQLSchema, defaultMode: AuthMode, _additional: readonly AuthMode[]): AuthRules {
  const defaultRule: FieldRule = { modes: new Set([defaultMode]), legacyAuth: false };
  const rules = new Map<string, FieldRule>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    const typeRule = ruleFrom([...(type.astNode?.directives ?? []), ...type.extensionASTNodes.flatMap((n) => n.directives ?? [])]);
    for (const field of Object.values(type.getFields())) {
      rules.set(`${type.name}.${field.name}`, ruleFrom(field.astNode?.directives) ?? typeRule ?? defaultRule);
    }
  }
  return {
    canAccess(auth, typeName, fieldName) {
      if (typeName.startsWith('__') || fieldName.startsWith('__')) return true; // introspection and __typename
      const rule = rules.get(`${typeName}.${fieldName}`) ?? defaultRule;
      if (auth.mode === 'AMAZON_COGNITO_USER_POOLS') {
        const explicit = rule !== defaultRule;
        if (!rule.modes.has('AMAZON_COGNITO_USER_POOLS')) return false;
        const groups = auth.groups ?? [];
        if (rule.cognitoGroups) return rule.cognitoGroups.some((g) => groups.includes(g));
        // auth.md §2: with defaultAction DENY only fields that list one of the caller's groups are reachable.
        if (!explicit || rule.legacyAuth) return auth.defaultAction !== 'DENY';
        return true;
      }
      return rule.modes.has(auth.mode);
    },
  };
}
