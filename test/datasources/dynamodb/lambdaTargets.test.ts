/** Which Lambda a DynamoDB handler ARN names (pure lookup over the normalized config). */
import { describe, expect, it } from 'vitest';
import { functionNameOf, lambdaTargetFor } from '../../../src/datasources/dynamodb/lambdaTargets.js';
import type { NormalizedConfig } from '../../../src/config/types.js';

const config = {
  configDir: '/tmp',
  dataSources: {
    byArn: { name: 'byArn', type: 'AWS_LAMBDA', config: { functionArn: 'arn:aws:lambda:us-east-1:1:function:one', handler: 'one.ts#handler' } },
    byName: { name: 'byName', type: 'AWS_LAMBDA', config: { functionName: 'two' } },
    byHandler: { name: 'byHandler', type: 'AWS_LAMBDA', config: { handler: 'lambda/three.handler' } },
    table: { name: 'table', type: 'AMAZON_DYNAMODB', config: { tableName: 'one' } },
  },
  serverlessFunctions: { four: { handler: 'lambda/four.handler' } },
} as unknown as NormalizedConfig;

describe('lambdaTargetFor', () => {
  it('reads the function name out of an ARN, alias or not', () => {
    expect(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:my-fn')).toBe('my-fn');
    expect(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:my-fn:live')).toBe('my-fn');
    expect(functionNameOf('plain-name')).toBe('plain-name');
  });

  it('prefers AWS_LAMBDA data sources (by ARN, by the ARN function name, by handler)', () => {
    expect(lambdaTargetFor('arn:aws:lambda:us-east-1:1:function:one', config).source).toBe('data source byArn');
    expect(lambdaTargetFor('arn:aws:lambda:us-east-1:1:function:two:prod', config).source).toBe('data source byName');
    expect(lambdaTargetFor('lambda/three.handler', config).source).toBe('data source byHandler');
  });

  it('then serverless.yml functions, by key or by the deployed service-stage-key name', () => {
    expect(lambdaTargetFor('four', config)).toEqual({ target: { functionName: 'four' }, source: 'serverless.yml function four' });
    expect(lambdaTargetFor('arn:aws:lambda:us-east-1:1:function:svc-dev-four', config).target).toEqual({ functionName: 'four' });
  });

  it('else the Lambda Invoke API in the ARN region', () => {
    expect(lambdaTargetFor('arn:aws:lambda:ap-south-1:1:function:elsewhere', config)).toEqual({
      target: { functionArn: 'arn:aws:lambda:ap-south-1:1:function:elsewhere', region: 'ap-south-1' },
      source: 'the Lambda Invoke API',
    });
  });
});
