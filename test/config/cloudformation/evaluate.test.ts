/** Intrinsic functions evaluated locally (docs/cloudformation.md#template-evaluation), each against CloudFormation's documented result. */
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigErrors } from '../../../src/errors.js';
import { parseTemplateText, StackEvaluator, type Template } from '../../../src/config/cloudformation/index.js';

const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Size: { Type: Number, Default: 3 }
  Zones: { Type: CommaDelimitedList, Default: "a,b,c" }
Mappings:
  ByStage:
    dev: { Table: posts-dev }
    prod: { Table: posts-prod }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [!Ref Size, 3]]
  Either: !Or [!Condition IsProd, !Equals ["1", 1]]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !FindInMap [ByStage, !Ref Stage, Table]
  Unnamed:
    Type: AWS::DynamoDB::Table
    Properties: {}
  Fn:
    Type: AWS::Lambda::Function
    Properties: { Runtime: nodejs20.x }
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: { Name: api }
  Events:
    Type: AWS::AppSync::Api
    Properties: { Name: chat, EventConfig: { AuthProviders: [{ AuthType: API_KEY }] } }
  Room:
    Type: AWS::AppSync::ChannelNamespace
    Properties: { ApiId: !GetAtt Events.ApiId, Name: room }
  Bucket:
    Type: AWS::S3::Bucket
  ProdOnly:
    Type: AWS::SNS::Topic
    Condition: IsProd
  Orders:
    Type: AWS::SQS::Queue
    Properties: { QueueName: orders }
  Alerts:
    Type: AWS::SNS::Topic
    Properties: { TopicName: alerts }
  Nightly:
    Type: AWS::Events::Rule
    Properties: { Name: nightly, EventPattern: { source: [app] } }
  UnnamedQueue:
    Type: AWS::SQS::Queue
Outputs:
  Url: { Value: !GetAtt Api.GraphQLUrl, Export: { Name: !Sub "\${AWS::StackName}-url" } }
  Hidden: { Value: x, Condition: IsProd }
`;

const evaluatorFor = (parameters: Record<string, string> = {}, text = TEMPLATE) =>
  new StackEvaluator(parseTemplateText(text, 'template.yaml') as Template, { file: 'template.yaml', stackName: 'demo', parameters });

const cases: Array<{ name: string; input: unknown; expected: unknown; parameters?: Record<string, string> }> = [
  { name: 'Ref of a parameter (its Default)', input: '!Ref Stage', expected: 'dev' },
  { name: 'Ref of a parameter given with --parameter', input: '!Ref Stage', expected: 'prod', parameters: { Stage: 'prod' } },
  { name: 'Ref of a Number parameter is its text', input: '!Ref Size', expected: '3' },
  { name: 'Ref of a CommaDelimitedList is a list', input: '!Ref Zones', expected: ['a', 'b', 'c'] },
  {
    name: 'pseudo parameters',
    input: '[!Ref AWS::Region, !Ref AWS::AccountId, !Ref AWS::StackName, !Ref AWS::URLSuffix, !Ref AWS::Partition]',
    expected: ['us-east-1', '123456789012', 'demo', 'amazonaws.com', 'aws'],
  },
  { name: 'Ref of a table is its TableName', input: '!Ref Table', expected: 'posts-dev' },
  { name: 'Ref of an unnamed table is <stack>-<logical id>', input: '!Ref Unnamed', expected: 'demo-Unnamed' },
  { name: 'GetAtt, short form with a dot', input: '!GetAtt Table.Arn', expected: 'arn:aws:dynamodb:us-east-1:123456789012:table/posts-dev' },
  { name: 'GetAtt, long form', input: '{ "Fn::GetAtt": [Fn, Arn] }', expected: 'arn:aws:lambda:us-east-1:123456789012:function:demo-Fn' },
  { name: 'GetAtt ApiId of a GraphQL API is its logical id', input: '!GetAtt Api.ApiId', expected: 'Api' },
  { name: 'GetAtt ApiId of an Event API is its logical id', input: '!GetAtt Events.ApiId', expected: 'Events' },
  { name: 'GetAtt ApiArn of an Event API', input: '!GetAtt Events.ApiArn', expected: 'arn:aws:appsync:us-east-1:123456789012:apis/Events' },
  { name: 'Ref of an Event API is its ARN', input: '!Ref Events', expected: 'arn:aws:appsync:us-east-1:123456789012:apis/Events' },
  {
    name: 'GetAtt Dns.Http of an Event API (short form: split at the first dot)',
    input: '!GetAtt Events.Dns.Http',
    expected: 'events.appsync-api.us-east-1.amazonaws.com',
  },
  {
    name: 'GetAtt Dns.Realtime of an Event API, in Sub',
    input: '!Sub "wss://${Events.Dns.Realtime}/event/realtime"',
    expected: 'wss://events.appsync-realtime-api.us-east-1.amazonaws.com/event/realtime',
  },
  { name: 'Ref of a channel namespace is its ARN', input: '!Ref Room', expected: 'arn:aws:appsync:us-east-1:123456789012:apis/Events/channelNamespace/room' },
  { name: 'GetAtt Arn of a queue with a QueueName names it', input: '!GetAtt Orders.Arn', expected: 'arn:aws:sqs:us-east-1:123456789012:orders' },
  { name: 'GetAtt QueueName', input: '[!GetAtt Orders.QueueName, !GetAtt UnnamedQueue.QueueName]', expected: ['orders', 'demo-UnnamedQueue'] },
  { name: 'GetAtt TopicArn of a topic with a TopicName names it', input: '!GetAtt Alerts.TopicArn', expected: 'arn:aws:sns:us-east-1:123456789012:alerts' },
  { name: 'GetAtt Arn of a rule with a Name', input: '!GetAtt Nightly.Arn', expected: 'arn:aws:events:us-east-1:123456789012:rule/nightly' },
  { name: 'GetAtt Arn of an ignored resource', input: '!GetAtt Bucket.Arn', expected: 'arn:aws:s3:us-east-1:123456789012:demo-Bucket' },
  {
    name: 'Sub, string form with Ref, GetAtt and a literal',
    input: '!Sub "${Table}/${Api.ApiId}/${!Literal}/${AWS::Region}"',
    expected: 'posts-dev/Api/${Literal}/us-east-1',
  },
  { name: 'Sub, list form with variables', input: '!Sub ["${A}-${Stage}", { A: !Ref Size }]', expected: '3-dev' },
  { name: 'Join', input: '!Join [":", [a, !Ref Stage, 1]]', expected: 'a:dev:1' },
  { name: 'Select', input: '!Select [1, !Ref Zones]', expected: 'b' },
  { name: 'Split', input: '!Split ["/", "x/y/z"]', expected: ['x', 'y', 'z'] },
  { name: 'Select of Split', input: '!Select [2, !Split [",", "p,q,r"]]', expected: 'r' },
  { name: 'If with a false condition', input: '!If [IsProd, big, small]', expected: 'small' },
  { name: 'If with a true condition', input: '!If [IsProd, big, small]', expected: 'big', parameters: { Stage: 'prod' } },
  { name: 'If with AWS::NoValue drops the list item', input: '[a, !If [IsProd, b, !Ref AWS::NoValue]]', expected: ['a'] },
  { name: 'Not, And, Or and Condition', input: '[!Condition IsDev, !Condition Both, !Condition Either]', expected: [true, true, true] },
  { name: 'FindInMap', input: '!FindInMap [ByStage, prod, Table]', expected: 'posts-prod' },
  { name: 'Base64', input: '!Base64 "hi there"', expected: 'aGkgdGhlcmU=' },
  { name: 'GetAZs', input: '!GetAZs ""', expected: ['us-east-1a', 'us-east-1b', 'us-east-1c'] },
  {
    name: 'Cidr: AWS’s documented example, 6 /27 blocks of a /24 (count and bits as text)',
    input: '{ "Fn::Cidr": ["192.168.0.0/24", "6", "5"] }',
    expected: ['192.168.0.0/27', '192.168.0.32/27', '192.168.0.64/27', '192.168.0.96/27', '192.168.0.128/27', '192.168.0.160/27'],
  },
  {
    name: 'Cidr: from the start of the block, whatever host bits the address has',
    input: '!Cidr ["10.1.77.9/16", 3, 8]',
    expected: ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'],
  },
  { name: 'Cidr: Select of a /28', input: '!Select [15, !Cidr ["10.0.0.0/24", 16, 4]]', expected: '10.0.0.240/28' },
  {
    name: 'Cidr: IPv6 /64 subnets of a VPC’s /56, compressed as RFC 5952',
    input: '!Cidr ["2600:1f16:0f2c:c600::/56", 3, 64]',
    expected: ['2600:1f16:f2c:c600::/64', '2600:1f16:f2c:c601::/64', '2600:1f16:f2c:c602::/64'],
  },
  { name: 'nested intrinsics inside plain mappings', input: '{ a: { b: [!Ref Stage] } }', expected: { a: { b: ['dev'] } } },
];

describe('intrinsic functions', () => {
  it.each(cases)('$name', ({ input, expected, parameters }) => {
    const evaluator = evaluatorFor(parameters);
    const value = parseTemplateText(`v: ${input as string}`, 'case.yaml') as { v: unknown };
    expect(evaluator.evaluate(value.v, 'case')).toEqual(expected);
  });

  it('a resource whose Condition is false is not created', () => {
    expect(evaluatorFor().isCreated('ProdOnly')).toBe(false);
    expect(evaluatorFor({ Stage: 'prod' }).isCreated('ProdOnly')).toBe(true);
  });

  it('Outputs and exports, skipping outputs whose condition is false', () => {
    expect(evaluatorFor().outputs()).toEqual({
      values: { Url: 'https://api.appsync-api.us-east-1.amazonaws.com/graphql' },
      exports: { 'demo-url': 'https://api.appsync-api.us-east-1.amazonaws.com/graphql' },
    });
  });
});

function messages(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigErrors) return error.errors.map((e) => e.message);
    if (error instanceof ConfigError) return [error.message];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('errors name the file, the logical id and the property path', () => {
  it('Fn::Cidr that cannot be computed names the path and why', () => {
    const evaluator = evaluatorFor(
      {},
      'Resources:\n  T:\n    Type: AWS::EC2::Subnet\n    Properties:\n      A: !Cidr ["10.0.0.0/24", 17, 4]\n      B: !Cidr ["10.0.0.0", 1, 4]\n      C: !Cidr ["10.0.0.0/24", 1, 9]\n',
    );
    expect(messages(() => evaluator.property('T', 'A'))).toEqual([
      'template.yaml: Resources.T.Properties.A.Fn::Cidr: Fn::Cidr: a /24 block holds 16 subnets of /28, not 17',
    ]);
    expect(messages(() => evaluator.property('T', 'B'))).toEqual([expect.stringContaining('Fn::Cidr: "10.0.0.0" is not a CIDR block')]);
    expect(messages(() => evaluator.property('T', 'C'))).toEqual([expect.stringContaining('cidrBits must be 1 to 8 for a /24 block')]);
  });

  it('an unknown intrinsic function', () => {
    const evaluator = evaluatorFor({}, 'Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: { "Fn::Frobnicate": [a] }\n');
    expect(messages(() => evaluator.property('T', 'TableName'))).toEqual([
      expect.stringMatching(
        /^template\.yaml: Resources\.T\.Properties\.TableName\.Fn::Frobnicate: Fn::Frobnicate is not an intrinsic function the gateway evaluates/,
      ),
    ]);
  });

  it('every parameter without a value, at once', () => {
    const text = 'Parameters:\n  A: { Type: String }\n  B: { Type: String }\n  C: { Type: String, Default: c }\nResources: {}\n';
    expect(messages(() => evaluatorFor({}, text))).toEqual([
      'template.yaml: Parameters.A: no value: give one with --parameter A=VALUE (the template declares no Default)',
      'template.yaml: Parameters.B: no value: give one with --parameter B=VALUE (the template declares no Default)',
    ]);
  });

  it('a --parameter the template does not declare, and a value outside AllowedValues', () => {
    expect(messages(() => evaluatorFor({ Stage: 'qa', Nope: '1' }))).toEqual([
      'template.yaml: Parameters.Stage: "qa" is not one of AllowedValues ["dev","prod"]',
      'template.yaml: Parameters: --parameter Nope: the template declares no parameter named Nope',
    ]);
  });

  it('a circular Ref', () => {
    const text =
      'Resources:\n  A:\n    Type: AWS::DynamoDB::Table\n    Properties: { TableName: !Ref B }\n  B:\n    Type: AWS::DynamoDB::Table\n    Properties: { TableName: !Ref A }\n';
    const [message] = messages(() => evaluatorFor({}, text).ref('A', 'Resources.X.Properties.Table'));
    expect(message).toMatch(/^template\.yaml: Resources\.[AB]\.Properties\.TableName\.Ref: circular reference: Resources\.A → Resources\.B → Resources\.A$/);
  });

  it('a Ref to nothing, and a GetAtt the gateway has no value for', () => {
    const evaluator = evaluatorFor();
    expect(messages(() => evaluator.evaluate({ Ref: 'Missing' }, 'Resources.X.Properties.Y'))).toEqual([
      'template.yaml: Resources.X.Properties.Y.Ref: Ref Missing: no parameter, pseudo parameter or resource of that name',
    ]);
    expect(messages(() => evaluator.evaluate({ 'Fn::GetAtt': ['Table', 'Nope'] }, 'Resources.X.Properties.Y'))).toEqual([
      'template.yaml: Resources.X.Properties.Y.Fn::GetAtt: Fn::GetAtt Table.Nope: the gateway has no local value for AWS::DynamoDB::Table attribute Nope',
    ]);
  });

  it('Fn::ImportValue with no stack exporting the name', () => {
    expect(messages(() => evaluatorFor().evaluate({ 'Fn::ImportValue': 'other-url' }, 'Resources.X.Properties.Y'))).toEqual([
      'template.yaml: Resources.X.Properties.Y.Fn::ImportValue: Fn::ImportValue: no stack of this input exports "other-url"',
    ]);
  });
});
