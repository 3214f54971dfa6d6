/**
 * Shapes shared by the auth modes (docs/auth.md). Each mode lives in its own file and
 * implements `AuthProvider`; `authenticateRequest` picks the mode from the request's headers the
 * way AppSync does and `AuthRules` decides which modes reach which type and field.
 */
import type { AuthenticationType } from '../config/types.js';

export type AuthMode = AuthenticationType;

/** What an auth provider may look at. Header names are lower-case. */
export interface AuthRequest {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  method: string;
  /** Path as received, with query string (SigV4 signs it). */
  url: string;
  /** Raw body (SigV4 signs its hash). Empty for WebSocket handshakes. */
  body: string;
  /** Caller address, for `identity.sourceIp`. */
  sourceIp: string;
  /** The Host header as the client sent it. */
  host?: string;
  /**
   * Set for an AppSync Events operation (docs/events.md#auth): a Lambda authorizer then receives the
   * Events request (`requestContext.operation`, `channelNamespaceName`, `channel`), not the GraphQL one.
   */
  events?: EventsAuthTarget;
}

/** What an Event API's Lambda authorizer is told about the operation it authorizes. */
export interface EventsAuthTarget {
  apiId: string;
  operation: 'EVENT_CONNECT' | 'EVENT_PUBLISH' | 'EVENT_SUBSCRIBE';
  /** The namespace and channel path (publish and subscribe; absent for connect). */
  channelNamespaceName?: string;
  channel?: string;
}

/** `ctx.identity` shapes (docs/auth.md#who-the-caller-is-ctxidentity). */
export type Identity = IamIdentity | CognitoIdentity | OidcIdentity | LambdaIdentity | null;

export interface IamIdentity {
  accountId: string;
  cognitoIdentityPoolId: string | null;
  cognitoIdentityId: string | null;
  sourceIp: string[];
  username: string;
  userArn: string;
  cognitoIdentityAuthType: string | null;
  cognitoIdentityAuthProvider: string | null;
}

export interface CognitoIdentity {
  sub: string;
  issuer: string;
  username: string;
  claims: Record<string, unknown>;
  sourceIp: string[];
  defaultAuthStrategy: 'ALLOW' | 'DENY';
  groups: string[] | null;
}

export interface OidcIdentity {
  sub: string;
  issuer: string;
  claims: Record<string, unknown>;
}

export interface LambdaIdentity {
  resolverContext: Record<string, unknown>;
}

/** The outcome of authenticating a request: which mode accepted it and who the caller is. */
export interface AuthContext {
  mode: AuthMode;
  identity: Identity;
  /** Lambda authorizer `deniedFields` (`Type.field` or field ARNs): these resolve as Unauthorized. */
  deniedFields?: ReadonlySet<string>;
  /** Cognito groups, for `@aws_cognito_user_pools(cognito_groups: [...])` / `@aws_auth`. */
  groups?: readonly string[];
  /** Cognito `defaultAction` of the user pool that accepted the token. */
  defaultAction?: 'ALLOW' | 'DENY';
  /** AWS_IAM: the caller's field policy (local addition, iam-policy.ts); absent = every field. */
  allows?: (typeName: string, fieldName: string) => boolean;
}

/** One configured auth mode. */
export interface AuthProvider {
  readonly mode: AuthMode;
  /**
   * Returns the auth context when the request carries valid credentials for this mode, `null`
   * when it carries none for this mode, and throws `UnauthorizedError` when it carries
   * credentials of this mode that are invalid (expired, forged, ...).
   */
  authenticate(request: AuthRequest): Promise<AuthContext | null> | AuthContext | null;
  /**
   * Known at load: false when no context of this provider can be refused or nulled a field whose rule admits its
   * mode (and, for user pools, names no groups). True for an IAM credential's `allow` list, a user pool with
   * `defaultAction: DENY`, a Lambda authorizer (`deniedFields`). Absent counts as true: such fields then keep
   * their per-request check (AuthRules.admitsEveryRequest).
   */
  readonly restrictsFields?: boolean;
  /**
   * A Cognito pool or OIDC provider: whether `token` is one it verified and still trusts at `now`
   * (verified-tokens.ts). Such a token picks this provider without its `iss` being read again.
   */
  knowsToken?(token: string, now: number): boolean;
  /**
   * Loads now what the provider otherwise loads at its first request (an in-process Lambda
   * authorizer's file) and throws a `ConfigError` for what that request would meet (no such
   * export). `appsync-gateway validate` runs it; serving does not (docs/startup.md).
   */
  check?(): Promise<void>;
  close?(): Promise<void>;
}
