/**
 * Evaluates CloudFormation intrinsic functions in one stack's template, locally: `Ref`,
 * `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` and the condition
 * functions, `Fn::FindInMap`, `Fn::Base64`, `Fn::ImportValue`, `Fn::GetAZs`, `Fn::Length`,
 * `Fn::ToJsonString`, `Fn::Cidr`. No library evaluates templates outside AWS, so this is written by hand.
 *
 * Values are evaluated on demand, property by property: an IAM role's ARN that only an ignored
 * property names is never needed, so it can never fail the load.
 */
import { ConfigError, ConfigErrors } from '../../errors.js';
import { DEFAULT_REGION, DEFAULT_ACCOUNT_ID } from '../awsDefaults.js';
import { cidrBlocks } from './cidr.js';

const SUPPORTED_INTRINSICS = [
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::If',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
  'Fn::FindInMap',
  'Fn::Base64',
  'Fn::ImportValue',
  'Fn::GetAZs',
  'Fn::Length',
  'Fn::ToJsonString',
  'Fn::Cidr',
];

/** `{ "Ref": "AWS::NoValue" }`: the property or list item is dropped. */
export const NO_VALUE = Symbol('AWS::NoValue');

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  Metadata?: Record<string, unknown>;
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Transform?: unknown;
  Parameters?: Record<string, { Type?: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Resources?: Record<string, Resource>;
  Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown }; Condition?: string }>;
}

/** What a stack's evaluation needs from outside its template. */
export interface StackEnvironment {
  /** The file the template came from (named in errors). */
  file: string;
  stackName: string;
  /** @default us-east-1 */
  region?: string;
  /** @default 123456789012 */
  accountId?: string;
  /** Parameter values given by the user (`--parameter Key=Value`) or by a parent stack. */
  parameters?: Record<string, unknown>;
  /** `Fn::ImportValue`: an export of another stack of the same assembly. */
  importValue?: (name: string) => unknown;
  /** `Fn::GetAtt [NestedStack, Outputs.Name]`: an output of a nested stack. */
  nestedOutput?: (logicalId: string, output: string, path: string) => unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** AppSync resources' `Ref` returns an ARN; these are their ARN shapes. */
function appSyncArn(evaluator: StackEvaluator, resourcePath: string): string {
  return `arn:aws:appsync:${evaluator.region}:${evaluator.accountId}:apis/${resourcePath}`;
}

/** One stack's template under evaluation: its parameters, conditions and resources' local ids. */
export class StackEvaluator {
  readonly template: Template;
  readonly env: StackEnvironment;
  readonly region: string;
  readonly accountId: string;
  readonly parameters: Record<string, unknown>;
  private readonly conditionValues = new Map<string, boolean>();
  private readonly evaluating = new Set<string>();

  /** Throws ConfigErrors naming every parameter without a value. */
  constructor(template: Template, env: StackEnvironment) {
    this.template = template;
    this.env = env;
    this.region = env.region ?? DEFAULT_REGION;
    this.accountId = env.accountId ?? DEFAULT_ACCOUNT_ID;
    this.parameters = {};
    const given = env.parameters ?? {};
    const problems: ConfigError[] = [];
    for (const [name, declared] of Object.entries(template.Parameters ?? {})) {
      const raw = name in given ? given[name] : declared?.Default;
      if (raw === undefined) {
        problems.push(
          new ConfigError(`${env.file}: Parameters.${name}`, 'no value: give one with --parameter ' + `${name}=VALUE (the template declares no Default)`),
        );
        continue;
      }
      const type = declared?.Type ?? 'String';
      // SSM parameter types name a parameter in Parameter Store; locally the default stays as written.
      if (type.startsWith('List<') || type === 'CommaDelimitedList') this.parameters[name] = Array.isArray(raw) ? raw : String(raw).split(',');
      else if (type === 'Number') this.parameters[name] = String(raw);
      else this.parameters[name] = raw;
      if (declared?.AllowedValues && !Array.isArray(raw) && !declared.AllowedValues.map(String).includes(String(raw)))
        problems.push(
          new ConfigError(`${env.file}: Parameters.${name}`, `${JSON.stringify(raw)} is not one of AllowedValues ${JSON.stringify(declared.AllowedValues)}`),
        );
    }
    for (const name of Object.keys(given)) {
      if (!(name in (template.Parameters ?? {})))
        problems.push(new ConfigError(`${env.file}: Parameters`, `--parameter ${name}: the template declares no parameter named ${name}`));
    }
    if (problems.length > 0) throw new ConfigErrors(problems);
  }

  get resources(): Record<string, Resource> {
    return this.template.Resources ?? {};
  }

  /** Whether a resource exists here: its `Condition` (if any) holds. */
  isCreated(logicalId: string): boolean {
    const resource = this.resources[logicalId];
    if (!resource) return false;
    return resource.Condition === undefined || this.condition(resource.Condition, `Resources.${logicalId}.Condition`);
  }

  /** The value of a named condition from `Conditions`. */
  condition(name: string, path: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw this.error(path, `no condition named ${name} in Conditions`);
    const key = `Conditions.${name}`;
    if (this.evaluating.has(key)) throw this.error(path, `condition ${name} refers to itself (${[...this.evaluating].join(' → ')} → ${key})`);
    this.evaluating.add(key);
    try {
      const value = this.evaluate(definition, key);
      if (typeof value !== 'boolean') throw this.error(key, `expected a condition function (Fn::Equals, Fn::And, …), got ${JSON.stringify(value)}`);
      this.conditionValues.set(name, value);
      return value;
    } finally {
      this.evaluating.delete(key);
    }
  }

  /** A resource's property, evaluated; `undefined` when absent or `AWS::NoValue`. */
  property(logicalId: string, name: string): unknown {
    const value = this.resources[logicalId]?.Properties?.[name];
    if (value === undefined) return undefined;
    const out = this.evaluate(value, `Resources.${logicalId}.Properties.${name}`);
    return out === NO_VALUE ? undefined : out;
  }

  /** A ConfigError naming this template's file and the property path. */
  error(path: string, detail: string): ConfigError {
    return new ConfigError(`${this.env.file}: ${path}`, detail);
  }

  /** Evaluates every intrinsic function in `value`; `path` names it in errors. */
  evaluate(value: unknown, path: string): unknown {
    if (Array.isArray(value)) return value.map((item, i) => this.evaluate(item, `${path}.${i}`)).filter((item) => item !== NO_VALUE);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0]!;
      if (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::')) return this.intrinsic(key, value[key], `${path}.${key}`);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const item = this.evaluate(value[key], `${path}.${key}`);
      if (item !== NO_VALUE) out[key] = item;
    }
    return out;
  }

  private string(value: unknown, path: string, what: string): string {
    const out = this.evaluate(value, path);
    if (typeof out === 'string') return out;
    if (typeof out === 'number' || typeof out === 'boolean') return String(out);
    throw this.error(path, `${what}: expected a string, got ${JSON.stringify(out)}`);
  }

  private list(value: unknown, path: string, what: string): unknown[] {
    const out = this.evaluate(value, path);
    if (!Array.isArray(out)) throw this.error(path, `${what}: expected a list, got ${JSON.stringify(out)}`);
    return out;
  }

  private args(raw: unknown, count: number, path: string, name: string): unknown[] {
    if (!Array.isArray(raw) || raw.length !== count) throw this.error(path, `${name} takes a list of ${count} items, got ${JSON.stringify(raw)}`);
    return raw;
  }

  private boolean(value: unknown, path: string): boolean {
    const out = this.evaluate(value, path);
    if (typeof out !== 'boolean') throw this.error(path, `expected a condition, got ${JSON.stringify(out)}`);
    return out;
  }

  private intrinsic(name: string, raw: unknown, path: string): unknown {
    switch (name) {
      case 'Ref': {
        const target = this.string(raw, path, 'Ref');
        return this.ref(target, path);
      }
      case 'Condition':
        return this.condition(this.string(raw, path, 'Condition'), path);
      case 'Fn::GetAtt': {
        const parts = typeof raw === 'string' ? [raw.slice(0, raw.indexOf('.')), raw.slice(raw.indexOf('.') + 1)] : raw;
        const [id, attribute] = this.args(parts, 2, path, 'Fn::GetAtt');
        return this.getAtt(this.string(id, `${path}.0`, 'Fn::GetAtt'), this.string(attribute, `${path}.1`, 'Fn::GetAtt'), path);
      }
      case 'Fn::Sub':
        return this.sub(raw, path);
      case 'Fn::Join': {
        const [delimiter, items] = this.args(raw, 2, path, 'Fn::Join');
        const separator = this.string(delimiter, `${path}.0`, 'Fn::Join delimiter');
        return this.list(items, `${path}.1`, 'Fn::Join')
          .map((item, i) => {
            if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') return String(item);
            throw this.error(`${path}.1.${i}`, `Fn::Join: expected a string, got ${JSON.stringify(item)}`);
          })
          .join(separator);
      }
      case 'Fn::Select': {
        const [index, items] = this.args(raw, 2, path, 'Fn::Select');
        const i = Number(this.evaluate(index, `${path}.0`));
        const list = this.list(items, `${path}.1`, 'Fn::Select');
        if (!Number.isInteger(i) || i < 0 || i >= list.length) throw this.error(path, `Fn::Select: index ${i} is outside the list of ${list.length}`);
        return list[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.args(raw, 2, path, 'Fn::Split');
        return this.string(source, `${path}.1`, 'Fn::Split').split(this.string(delimiter, `${path}.0`, 'Fn::Split delimiter'));
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = this.args(raw, 3, path, 'Fn::If');
        const holds = this.condition(this.string(condition, `${path}.0`, 'Fn::If condition'), `${path}.0`);
        return holds ? this.evaluate(whenTrue, `${path}.1`) : this.evaluate(whenFalse, `${path}.2`);
      }
      case 'Fn::Equals': {
        const [a, b] = this.args(raw, 2, path, 'Fn::Equals');
        // CloudFormation compares the values as strings ("1" equals 1).
        return JSON.stringify(stringify(this.evaluate(a, `${path}.0`))) === JSON.stringify(stringify(this.evaluate(b, `${path}.1`)));
      }
      case 'Fn::Not': {
        const [a] = this.args(raw, 1, path, 'Fn::Not');
        return !this.boolean(a, `${path}.0`);
      }
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(raw) || raw.length < 2 || raw.length > 10) throw this.error(path, `${name} takes a list of 2 to 10 conditions`);
        const values = raw.map((item, i) => this.boolean(item, `${path}.${i}`));
        return name === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      case 'Fn::FindInMap': {
        if (!Array.isArray(raw) || raw.length < 3) throw this.error(path, 'Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]');
        const [map, top, second] = raw.slice(0, 3).map((item, i) => this.string(item, `${path}.${i}`, 'Fn::FindInMap'));
        const found = this.template.Mappings?.[map!]?.[top!]?.[second!];
        if (found !== undefined) return found;
        // The language extensions' 4th item: { DefaultValue }.
        const fallback = isObject(raw[3]) ? raw[3].DefaultValue : undefined;
        if (fallback !== undefined) return this.evaluate(fallback, `${path}.3.DefaultValue`);
        throw this.error(path, `Fn::FindInMap: Mappings.${map}.${top}.${second} does not exist`);
      }
      case 'Fn::Base64':
        return Buffer.from(this.string(raw, path, 'Fn::Base64'), 'utf8').toString('base64');
      case 'Fn::ImportValue': {
        const exportName = this.string(raw, path, 'Fn::ImportValue');
        const value = this.env.importValue?.(exportName);
        if (value === undefined) throw this.error(path, `Fn::ImportValue: no stack of this input exports "${exportName}"`);
        return value;
      }
      case 'Fn::GetAZs': {
        const region = this.string(raw, path, 'Fn::GetAZs') || this.region;
        return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
      }
      case 'Fn::Length':
        return this.list(raw, path, 'Fn::Length').length;
      case 'Fn::ToJsonString':
        return JSON.stringify(this.evaluate(raw, path));
      case 'Fn::Cidr': {
        const [block, count, bits] = this.args(raw, 3, path, 'Fn::Cidr');
        const blocks = cidrBlocks(
          this.string(block, `${path}.0`, 'Fn::Cidr ipBlock'),
          Number(this.string(count, `${path}.1`, 'Fn::Cidr count')),
          Number(this.string(bits, `${path}.2`, 'Fn::Cidr cidrBits')),
        );
        if (typeof blocks === 'string') throw this.error(path, `Fn::Cidr: ${blocks}`);
        return blocks;
      }
      default:
        throw this.error(path, `${name} is not an intrinsic function the gateway evaluates (supported: ${SUPPORTED_INTRINSICS.join(', ')})`);
    }
  }

  /** `Fn::Sub`: `${Name}` is a Ref, `${Id.Attribute}` a GetAtt, `${!Text}` the literal `${Text}`. */
  private sub(raw: unknown, path: string): string {
    let template: unknown = raw;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(raw)) {
      const [text, vars] = this.args(raw, 2, path, 'Fn::Sub');
      template = text;
      if (!isObject(vars)) throw this.error(`${path}.1`, 'Fn::Sub: expected a mapping of variable names to values');
      variables = vars;
    }
    const text = this.string(template, Array.isArray(raw) ? `${path}.0` : path, 'Fn::Sub');
    return text.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (name in variables) return this.string(variables[name], `${path}.1.${name}`, `Fn::Sub \${${name}}`);
      const dot = name.indexOf('.');
      const value = dot > 0 && !name.startsWith('AWS::') ? this.getAtt(name.slice(0, dot), name.slice(dot + 1), path) : this.ref(name, path);
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw this.error(path, `Fn::Sub \${${name}}: expected a string, got ${JSON.stringify(value)}`);
    });
  }

  /** `Ref`: a pseudo parameter, a parameter, or a resource's physical id. */
  ref(name: string, path: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::StackName':
        return this.env.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.env.stackName}/local`;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NotificationARNs':
        return [];
      case 'AWS::NoValue':
        return NO_VALUE;
    }
    if (name in this.parameters) return this.parameters[name];
    if (name in this.resources) return this.physicalId(name, path);
    throw this.error(path, `Ref ${name}: no parameter, pseudo parameter or resource of that name`);
  }

  /**
   * What `Ref` returns for a resource. Gateway choice: a resource without a name property gets
   * `<StackName>-<LogicalId>`, stable across loads (CloudFormation adds a random suffix).
   */
  physicalId(logicalId: string, path: string): string {
    const resource = this.resources[logicalId]!;
    const generated = `${this.env.stackName}-${logicalId}`;
    const named = (property: string): string => {
      const key = `Resources.${logicalId}`;
      if (this.evaluating.has(key)) throw this.error(path, `circular reference: ${[...this.evaluating].join(' → ')} → ${key}`);
      this.evaluating.add(key);
      try {
        const value = this.property(logicalId, property);
        return typeof value === 'string' && value !== '' ? value : generated;
      } finally {
        this.evaluating.delete(key);
      }
    };
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return named('TableName');
      case 'AWS::Lambda::Function':
      case 'AWS::Serverless::Function':
        return named('FunctionName');
      case 'AWS::IAM::Role':
        return named('RoleName');
      // Named as messaging.ts names them on the in-process SQS, SNS and EventBridge, so a reference by ARN finds them.
      case 'AWS::SQS::Queue':
        return named('QueueName');
      case 'AWS::SNS::Topic':
        return named('TopicName');
      case 'AWS::Events::Rule':
      case 'AWS::Events::EventBus':
        return named('Name');
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::Serverless::StateMachine':
        return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${named('StateMachineName')}`;
      case 'AWS::AppSync::GraphQLApi':
      case 'AWS::Serverless::GraphQLApi':
      case 'AWS::AppSync::Api':
        return appSyncArn(this, logicalId);
      case 'AWS::AppSync::ChannelNamespace':
        return appSyncArn(this, `${this.apiIdOf(logicalId)}/channelNamespace/${named('Name')}`);
      case 'AWS::AppSync::DataSource':
        return appSyncArn(this, `${this.apiIdOf(logicalId)}/datasources/${named('Name')}`);
      case 'AWS::AppSync::FunctionConfiguration':
        return appSyncArn(this, `${this.apiIdOf(logicalId)}/functions/${logicalId}`);
      case 'AWS::AppSync::ApiKey':
        return appSyncArn(this, `${this.apiIdOf(logicalId)}/apikeys/${logicalId}`);
      default:
        return generated;
    }
  }

  /** The API id a resource's `ApiId` names (a logical id of this stack's GraphQLApi, locally). */
  private apiIdOf(logicalId: string): string {
    const apiId = this.property(logicalId, 'ApiId');
    return typeof apiId === 'string' ? apiId : 'api';
  }

  /** `Fn::GetAtt`: the attributes the gateway's input needs, with local values. */
  getAtt(logicalId: string, attribute: string, path: string): unknown {
    const resource = this.resources[logicalId];
    if (!resource) throw this.error(path, `Fn::GetAtt ${logicalId}.${attribute}: no resource named ${logicalId}`);
    if (resource.Type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) {
      const value = this.env.nestedOutput?.(logicalId, attribute.slice('Outputs.'.length), path);
      if (value === undefined) throw this.error(path, `Fn::GetAtt ${logicalId}.${attribute}: the nested stack has no such output`);
      return value;
    }
    const id = (): string => this.physicalId(logicalId, path);
    const arn = (service: string, rest: string) => `arn:aws:${service}:${this.region}:${this.accountId}:${rest}`;
    const known: Record<string, Record<string, () => unknown>> = {
      'AWS::AppSync::GraphQLApi': {
        ApiId: () => logicalId,
        Arn: () => appSyncArn(this, logicalId),
        GraphQLUrl: () => `https://${logicalId.toLowerCase()}.appsync-api.${this.region}.amazonaws.com/graphql`,
        GraphQLDns: () => `${logicalId.toLowerCase()}.appsync-api.${this.region}.amazonaws.com`,
        RealtimeUrl: () => `wss://${logicalId.toLowerCase()}.appsync-realtime-api.${this.region}.amazonaws.com/graphql`,
        RealtimeDns: () => `${logicalId.toLowerCase()}.appsync-realtime-api.${this.region}.amazonaws.com`,
        GraphQLEndpointArn: () => appSyncArn(this, logicalId),
      },
      // An Event API (docs/cloudformation.md#event-apis): AWS's host names with the logical id as the API id, as for GraphQL APIs.
      'AWS::AppSync::Api': {
        ApiId: () => logicalId,
        ApiArn: () => appSyncArn(this, logicalId),
        'Dns.Http': () => `${logicalId.toLowerCase()}.appsync-api.${this.region}.amazonaws.com`,
        'Dns.Realtime': () => `${logicalId.toLowerCase()}.appsync-realtime-api.${this.region}.amazonaws.com`,
      },
      'AWS::AppSync::ChannelNamespace': { ChannelNamespaceArn: id },
      'AWS::AppSync::DataSource': { DataSourceArn: id, Name: () => this.property(logicalId, 'Name') },
      'AWS::AppSync::FunctionConfiguration': {
        FunctionId: () => logicalId,
        FunctionArn: id,
        Name: () => this.property(logicalId, 'Name') ?? logicalId,
        DataSourceName: () => this.property(logicalId, 'DataSourceName'),
      },
      'AWS::AppSync::ApiKey': { ApiKeyId: () => logicalId, Arn: id, ApiKey: () => `da2-${logicalId.toLowerCase()}` },
      'AWS::AppSync::Resolver': { ResolverArn: () => appSyncArn(this, `${this.apiIdOf(logicalId)}/resolvers/${logicalId}`) },
      'AWS::AppSync::GraphQLSchema': {},
      'AWS::DynamoDB::Table': { Arn: () => arn('dynamodb', `table/${id()}`), StreamArn: () => arn('dynamodb', `table/${id()}/stream/local`) },
      'AWS::DynamoDB::GlobalTable': { Arn: () => arn('dynamodb', `table/${id()}`), StreamArn: () => arn('dynamodb', `table/${id()}/stream/local`) },
      'AWS::Lambda::Function': { Arn: () => arn('lambda', `function:${id()}`) },
      'AWS::Serverless::Function': { Arn: () => arn('lambda', `function:${id()}`) },
      'AWS::StepFunctions::StateMachine': { Arn: id, Name: () => id().split(':').pop() },
      'AWS::RDS::DBCluster': { DBClusterArn: () => arn('rds', `cluster:${id()}`) },
      'AWS::IAM::Role': { Arn: () => `arn:aws:iam::${this.accountId}:role/${id()}`, RoleId: () => `AROA${logicalId.toUpperCase()}` },
      'AWS::SQS::Queue': { Arn: () => arn('sqs', id()), QueueName: id },
      'AWS::SNS::Topic': { TopicArn: () => arn('sns', id()), TopicName: id },
      'AWS::Events::Rule': { Arn: () => arn('events', `rule/${id()}`) },
      // EventBridge's own shape, so an AMAZON_EVENTBRIDGE data source on this bus is refused naming it (dataSources.ts).
      'AWS::Events::EventBus': { Arn: () => arn('events', `event-bus/${id()}`), Name: id },
    };
    const table = known[resource.Type];
    const get = table?.[attribute];
    if (get) return get();
    // Gateway choice: any other resource's Arn (`Arn`, `DBClusterArn`, `TopicArn`, …) is a
    // well-formed local ARN naming its logical id; what an ignored resource is called locally
    // matters to nothing the gateway serves.
    if (attribute.endsWith('Arn') && !table) {
      const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'local';
      return arn(service, id());
    }
    throw this.error(path, `Fn::GetAtt ${logicalId}.${attribute}: the gateway has no local value for ${resource.Type} attribute ${attribute}`);
  }

  /** Evaluated `Outputs` (skipping those whose `Condition` is false): name → value, plus export names. */
  outputs(): { values: Record<string, unknown>; exports: Record<string, unknown> } {
    const values: Record<string, unknown> = {};
    const exports: Record<string, unknown> = {};
    for (const [name, output] of Object.entries(this.template.Outputs ?? {})) {
      if (output.Condition !== undefined && !this.condition(output.Condition, `Outputs.${name}.Condition`)) continue;
      const value = this.evaluate(output.Value, `Outputs.${name}.Value`);
      values[name] = value;
      if (output.Export?.Name !== undefined) exports[String(this.evaluate(output.Export.Name, `Outputs.${name}.Export.Name`))] = value;
    }
    return { values, exports };
  }
}

function stringify(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
}
