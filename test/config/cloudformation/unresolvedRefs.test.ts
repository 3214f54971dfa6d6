/**
 * State machines of a SAM template and of a CDK assembly whose Task states name a resource the
 * gateway does not model (docs/stepfunctions.md#references-the-gateway-cannot-resolve): the
 * translation keeps the `Ref` where the resource has no local ARN, the gateway warns once naming it
 * and does not create that machine, and serves the rest of the input.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile, type LoadedConfig } from '../../../src/config/index.js';
import { createGateway } from '../../../src/index.js';

const SAM = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      SchemaInline: 'type Query { ok: Boolean }'
      Auth: { Type: API_KEY }
  PriceFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: 'exports.handler = async (event) => ({ total: event.items * 10 });'
  PriceLive:
    Type: AWS::Lambda::Alias
    Properties: { FunctionName: !Ref PriceFunction, FunctionVersion: '1', Name: live }
  Approvals:
    Type: AWS::StepFunctions::Activity
    Properties: { Name: approvals }
  Quote:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: quote
      StateMachineType: EXPRESS
      Definition:
        StartAt: Price
        States:
          Price: { Type: Task, Resource: !GetAtt PriceFunction.Arn, End: true }
  Approve:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: approve
      StateMachineType: EXPRESS
      DefinitionString: '{"StartAt":"Price","States":{"Price":{"Type":"Task","Resource":"\${PriceArn}","Next":"Wait"},"Wait":{"Type":"Task","Resource":"\${ApprovalsArn}","Next":"Ship"},"Ship":{"Type":"Task","Resource":"\${ShipArn}","End":true}}}'
      DefinitionSubstitutions:
        PriceArn: !Ref PriceLive
        ApprovalsArn: !Ref Approvals
        ShipArn: !ImportValue shipping-ShipFunctionArn
  Notify:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: notify
      Definition:
        StartAt: Send
        States:
          Send: { Type: Task, Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: !ImportValue notify-FunctionArn }, End: true }
`;

/** Serves `loaded` with a logger that keeps its warnings; answers StartSyncExecution of a machine by name. */
async function serveKeepingWarnings(loaded: LoadedConfig) {
  const warnings: string[] = [];
  const logger = { debugEnabled: false, debug() {}, info() {}, error() {}, warn: (message: string) => void warnings.push(message) };
  const gateway = await createGateway(loaded.config, { configDir: loaded.configDir, configFile: loaded.configFile, logger, inMemory: true });
  afterAll(() => gateway.close());
  const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  const start = async (machine: string, input: unknown) => {
    const res = await fetch(new URL(url).origin, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartSyncExecution' },
      body: JSON.stringify({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:${machine}`, input: JSON.stringify(input) }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  return { warnings, start };
}

const notCreated = (machine: string, references: string[]) =>
  [
    `state machine ${machine} is not created (starting it answers StateMachineDoesNotExist): its Task states name what the gateway cannot resolve ` +
      '(docs/stepfunctions.md#references-the-gateway-cannot-resolve):',
    ...references.map((r) => `  stepFunctions.stateMachines.${machine}.definition.States.${r}`),
  ].join('\n');

const doesNotExist = (machine: string) => ({
  __type: 'com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist',
  message: `State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:${machine}'`,
});

describe('a SAM template whose machine names an activity and a Lambda alias', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-unresolved-sam-'));
  await writeFile(join(dir, 'template.yaml'), SAM);
  const loaded = await loadConfigFile(join(dir, 'template.yaml'));
  const served = await serveKeepingWarnings(loaded);

  it('the translation keeps Ref where the resource has no local ARN; an ARN it resolves stays', () => {
    const machines = loaded.config.stepFunctions?.stateMachines as Record<string, { definition: { States: Record<string, { Resource: unknown }> } }>;
    expect(machines.quote!.definition.States.Price!.Resource).toBe('arn:aws:lambda:us-east-1:123456789012:function:template-PriceFunction');
    expect(machines.approve!.definition.States).toEqual({
      Price: { Type: 'Task', Resource: { Ref: 'PriceLive' }, Next: 'Wait' },
      Wait: { Type: 'Task', Resource: { Ref: 'Approvals' }, Next: 'Ship' },
      Ship: { Type: 'Task', Resource: { 'Fn::ImportValue': 'shipping-ShipFunctionArn' }, End: true },
    });
  });

  it('one warning names each reference at its key; that machine is not created, the other runs', async () => {
    expect(served.warnings.filter((w) => w.startsWith('state machine'))).toEqual([
      notCreated('approve', [
        'Price.Resource: Ref PriceLive cannot be resolved: PriceLive is not a resource the gateway serves, so it has no ARN here',
        'Wait.Resource: Ref Approvals cannot be resolved: Approvals is not a resource the gateway serves, so it has no ARN here',
        'Ship.Resource: Fn::ImportValue shipping-ShipFunctionArn cannot be resolved: no stack the gateway reads exports it',
      ]),
      notCreated('notify', ['Send.Parameters.FunctionName: Fn::ImportValue notify-FunctionArn cannot be resolved: no stack the gateway reads exports it']),
    ]);
    expect(await served.start('quote', { items: 3 })).toMatchObject({ status: 'SUCCEEDED', output: '{"total":30}' });
    expect(await served.start('approve', { items: 3 })).toEqual(doesNotExist('approve'));
    expect(await served.start('notify', {})).toEqual(doesNotExist('notify'));
  });

  it('an Fn::ImportValue the input does not export, outside what a Task calls, still fails the load with the evaluator’s error', async () => {
    const elsewhere = SAM.replace(
      'FunctionName: !ImportValue notify-FunctionArn',
      "FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:x', Payload: { topic: !ImportValue notify-Topic }",
    );
    const broken = await mkdtemp(join(tmpdir(), 'appsync-unresolved-sam-'));
    await writeFile(join(broken, 'template.yaml'), elsewhere);
    await expect(loadConfigFile(join(broken, 'template.yaml'))).rejects.toThrow(
      `${join(broken, 'template.yaml')}: Resources.Notify.Properties.Definition.States.Send.Parameters.Payload.topic.Fn::ImportValue: Fn::ImportValue: no stack of this input exports "notify-Topic"`,
    );
  });
});

describe('a CDK assembly whose machine invokes an activity', async () => {
  const project = await mkdtemp(join(tmpdir(), 'appsync-unresolved-cdk-'));
  const app = new App({ outdir: join(project, 'cdk.out') });
  const stack = new Stack(app, 'ApprovalStack');
  const api = new appsync.GraphqlApi(stack, 'Api', {
    name: 'approvals',
    definition: appsync.Definition.fromSchema(appsync.SchemaFile.fromAsset(await schemaFile(project))),
  });
  api.addNoneDataSource('none');
  const price = new lambda.Function(stack, 'Price', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (event) => ({ total: event.items * 10 });'),
  });
  const quote = new tasks.LambdaInvoke(stack, 'PriceIt', { lambdaFunction: price, payloadResponseOnly: true });
  new sfn.StateMachine(stack, 'Quote', {
    stateMachineName: 'quote',
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(quote),
  });
  const activity = new sfn.Activity(stack, 'Approvals');
  const approve = new tasks.StepFunctionsInvokeActivity(stack, 'WaitForApproval', { activity });
  new sfn.StateMachine(stack, 'Approve', {
    stateMachineName: 'approve',
    stateMachineType: sfn.StateMachineType.EXPRESS,
    definitionBody: sfn.DefinitionBody.fromChainable(approve),
  });
  app.synth();
  const loaded = await loadConfigFile(join(project, 'cdk.out'));
  const served = await serveKeepingWarnings(loaded);
  const activityId = stack.getLogicalId(activity.node.defaultChild as sfn.CfnActivity);

  it('the activity task is named by its Ref in one warning; the machine is not created, the Lambda one runs', async () => {
    expect(served.warnings.filter((w) => w.startsWith('state machine'))).toEqual([
      notCreated('approve', [
        `WaitForApproval.Resource: Ref ${activityId} cannot be resolved: ${activityId} is not a resource the gateway serves, so it has no ARN here`,
      ]),
    ]);
    expect(await served.start('quote', { items: 4 })).toMatchObject({ status: 'SUCCEEDED', output: '{"total":40}' });
    expect(await served.start('approve', {})).toEqual(doesNotExist('approve'));
  });
});

async function schemaFile(project: string): Promise<string> {
  const file = join(project, 'schema.graphql');
  await writeFile(file, 'type Query { ok: Boolean }');
  return file;
}
