/**
 * Which auth modes may reach which type and field, read from the `@aws_*` directives
 * (docs/auth.md#directives), computed once per schema so `canAccess` is two map lookups and a set
 * test per field.
 *
 * 1. a field's own directives decide; 2. else its type's; 3. else only the default mode
 * (Gateway choice: directives on interfaces are inherited below the type's own, see buildAuthRules);
 * 4. the default mode is not implied once directives exist; 5. checked at every level;
 * 6. Cognito group lists restrict only user-pool callers.
 */
import { isInterfaceType, isObjectType, Kind, type ConstDirectiveNode, type GraphQLInterfaceType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import type { AuthContext, AuthMode, AuthProvider } from './types.js';

export interface AuthRules {
  /** True when a request authenticated as `auth` may resolve `typeName.fieldName`. */
  canAccess(auth: AuthContext, typeName: string, fieldName: string): boolean;
  /**
   * Load-time: true only when `canAccess` is true for every auth context the API's providers can produce, so
   * `typeName.fieldName` needs no per-request check: its rule admits every mode of the API, names no user-pool
   * groups where user pools are a mode, and no provider restricts fields beyond its mode
   * (`AuthProvider.restrictsFields`: IAM `allow` lists, `defaultAction: DENY`, Lambda `deniedFields`). False when
   * the providers are not known.
   */
  admitsEveryRequest(typeName: string, fieldName: string): boolean;
}

/** The directive names of docs/auth.md#directives and the mode each one grants. */
const AUTH_DIRECTIVES: Readonly<Record<string, AuthMode>> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
  aws_cognito_user_pools: 'AMAZON_COGNITO_USER_POOLS',
  aws_auth: 'AMAZON_COGNITO_USER_POOLS',
};

/** What one field admits, precomputed at load time. */
export interface FieldRule {
  modes: ReadonlySet<AuthMode>;
  /** User-pool groups of which the caller needs one; undefined = any valid user-pool token. */
  cognitoGroups?: ReadonlySet<string>;
  /** True when the rule came from no directive at all (docs/auth.md#directives). */
  implicit: boolean;
  /** True when user-pool access comes only from the legacy `@aws_auth` (governed by defaultAction). */
  legacyOnly: boolean;
}

function groupsOf(directive: ConstDirectiveNode): string[] | undefined {
  const arg = directive.arguments?.find((a) => a.name.value === 'cognito_groups');
  if (!arg || arg.value.kind === Kind.NULL) return undefined;
  const values = arg.value.kind === Kind.LIST ? arg.value.values : [arg.value];
  return values.filter((v) => v.kind === Kind.STRING).map((v) => (v as { value: string }).value);
}

/** The rule the auth directives in `directives` describe, or undefined when there are none. */
function ruleFromDirectives(directives: readonly ConstDirectiveNode[] | undefined): FieldRule | undefined {
  const auth = (directives ?? []).filter((d) => d.name.value in AUTH_DIRECTIVES);
  if (auth.length === 0) return undefined;
  const modes = new Set<AuthMode>();
  const groups = new Set<string>();
  let anyPoolUser = false;
  let modern = false;
  for (const d of auth) {
    modes.add(AUTH_DIRECTIVES[d.name.value]!);
    if (d.name.value !== 'aws_cognito_user_pools' && d.name.value !== 'aws_auth') continue;
    if (d.name.value === 'aws_cognito_user_pools') modern = true;
    const listed = groupsOf(d);
    // A group-less user-pool directive admits every valid token, whatever else is listed.
    if (listed === undefined) anyPoolUser = true;
    else listed.forEach((g) => groups.add(g));
  }
  const cognito = modes.has('AMAZON_COGNITO_USER_POOLS');
  return {
    modes,
    cognitoGroups: cognito && !anyPoolUser ? groups : undefined,
    implicit: false,
    legacyOnly: cognito && !modern,
  };
}

/**
 * Precomputes the rule of every field of every object and interface type. `providers` are the API's auth
 * providers: without them `admitsEveryRequest` answers false for every field.
 *
 * `@aws_auth` is documented only for APIs whose sole mode is Cognito (docs/auth.md#directives). Gateway choice:
 * elsewhere it is read as `@aws_cognito_user_pools` with the same groups rather than rejected, so
 * schemas that mix both still load.
 */
export function buildAuthRules(
  schema: GraphQLSchema,
  defaultMode: AuthMode,
  additionalModes: readonly AuthMode[] = [],
  providers?: readonly Pick<AuthProvider, 'mode' | 'restrictsFields'>[],
): AuthRules {
  const defaultRule: FieldRule = { modes: new Set([defaultMode]), implicit: true, legacyOnly: false };
  const byType = new Map<string, Map<string, FieldRule>>();
  const typeRuleOf = (type: GraphQLObjectType | GraphQLInterfaceType) =>
    ruleFromDirectives([...(type.astNode?.directives ?? []), ...type.extensionASTNodes.flatMap((n) => n.directives ?? [])]);
  const fieldRuleOf = (type: GraphQLObjectType | GraphQLInterfaceType, fieldName: string) =>
    ruleFromDirectives(type.getFields()[fieldName]?.astNode?.directives);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    const typeRule = typeRuleOf(type);
    // Gateway choice (docs/auth.md#directives): directives on an interface reach the types implementing it, as
    // if written there, below the type's own: own field > interface field > own type > interface
    // type > default mode. Interfaces are taken in `implements` order; the first with a rule wins.
    const interfaces = type.getInterfaces();
    const interfaceTypeRule = interfaces.map(typeRuleOf).find((rule) => rule !== undefined);
    const fields = new Map<string, FieldRule>();
    for (const field of Object.values(type.getFields())) {
      const inheritedFieldRule = interfaces.map((i) => fieldRuleOf(i, field.name)).find((rule) => rule !== undefined);
      fields.set(field.name, ruleFromDirectives(field.astNode?.directives) ?? inheritedFieldRule ?? typeRule ?? interfaceTypeRule ?? defaultRule);
    }
    byType.set(type.name, fields);
  }

  const apiModes = new Set([defaultMode, ...additionalModes]);
  // A provider whose contexts carry more than their mode (or a mode the API does not list) can make canAccess
  // false where the rule alone would not; AWS_LAMBDA is checked by name too, as its deniedFields null any field.
  const restricted =
    providers === undefined || apiModes.has('AWS_LAMBDA') || providers.some((provider) => provider.restrictsFields !== false || !apiModes.has(provider.mode));

  return {
    admitsEveryRequest(typeName, fieldName) {
      if (restricted) return false;
      const rule = byType.get(typeName)?.get(fieldName);
      if (rule === undefined) return false;
      for (const mode of apiModes) if (!rule.modes.has(mode)) return false;
      // Groups restrict user-pool callers only (canAccess); with defaultAction ALLOW (restricted above otherwise),
      // implicit and legacy `@aws_auth` rules admit every token.
      return !(apiModes.has('AMAZON_COGNITO_USER_POOLS') && rule.cognitoGroups !== undefined);
    },
    canAccess(auth, typeName, fieldName) {
      const rule = byType.get(typeName)?.get(fieldName);
      // Introspection types and `__typename` have no rule: every authenticated caller may read them.
      if (rule === undefined) return typeName.startsWith('__') || fieldName.startsWith('__') || defaultRule.modes.has(auth.mode);
      if (!rule.modes.has(auth.mode)) return false;
      if (auth.allows !== undefined) return auth.allows(typeName, fieldName);
      if (auth.mode !== 'AMAZON_COGNITO_USER_POOLS') return true;
      if (rule.cognitoGroups) {
        const groups = auth.groups;
        if (!groups) return false;
        for (const g of groups) if (rule.cognitoGroups.has(g)) return true;
        return false;
      }
      // docs/auth.md#the-modes (Gateway choice): with defaultAction DENY, a field reached without naming one of
      // the caller's groups (no directive, or a group-less `@aws_auth`) is refused.
      if (rule.implicit || rule.legacyOnly) return auth.defaultAction !== 'DENY';
      return true;
    },
  };
}
