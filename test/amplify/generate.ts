/**
 * Generates an Amplify Gen 1 API build folder (`amplify/backend/api/NAME/build`) with Amplify's own
 * transformer packages from npm (`@aws-amplify/graphql-transformer` on `aws-cdk-lib`), so the tests
 * serve what `amplify push` would upload, not a hand-written lookalike.
 *
 * The Amplify CLI (amplify-category-api, not on npm as a library) wraps `executeTransform` in a few
 * CDK classes of its own ("cdk-compat": a root stack, a nested-stack provider, an asset provider and
 * a stack synthesizer) and then writes the result with `writeDeploymentToDisk`. Those classes are not
 * published, so this file re-creates their observable behaviour — written here by hand for that
 * reason — so the output has the CLI's shape:
 * - `cloudformation-template.json`: the root stack, with parameters `env`, `AppSyncApiName`,
 *   `S3DeploymentBucket`, `S3DeploymentRootKey` (plus the auth ones when IAM/user pools are used);
 * - `stacks/<Name>.json`: one nested stack per model (and `ConnectionStack` etc.), whose
 *   `TemplateURL` is `https://s3.<region>.<urlSuffix>/<bucket>/<rootKey>/stacks/<Name>.json`;
 * - `resolvers/*.vtl`, `pipelineFunctions/` and `schema.graphql`, referenced from the stacks as
 *   `s3://<bucket>/<rootKey>/resolvers/<file>`;
 * - `parameters.json`: the build parameters the CLI deploys the root stack with.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { App, Aws, CfnParameter, CfnResource, CfnStack, Fn, FileAssetPackaging, LegacyStackSynthesizer, Lazy, Stack, Token } from 'aws-cdk-lib';
import type { CfnElement, FileAssetLocation, FileAssetSource, IResolveContext, ISynthesisSession } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { executeTransform } from '@aws-amplify/graphql-transformer';
import { constructDataSourceStrategies, DDB_DEFAULT_DATASOURCE_STRATEGY } from '@aws-amplify/graphql-transformer-core';

// Types taken from executeTransform itself: @aws-amplify/graphql-transformer carries its own copy of
// graphql-transformer-interfaces, whose TransformParameters differs from the top-level copy.
type ExecuteConfig = Parameters<typeof executeTransform>[0];
type TransformParameters = ExecuteConfig['transformParameters'];
type AppSyncAuthConfiguration = NonNullable<ExecuteConfig['authConfig']>;
type AssetProvide = ExecuteConfig['assetProvider']['provide'];
type TransformerLog = Parameters<NonNullable<ExecuteConfig['printTransformerLog']>>[0];

/** What {@link generateAmplifyBuild} writes. */
export interface AmplifyBuild {
  /** The `build` folder (`cloudformation-template.json`, `stacks/`, `resolvers/`, `schema.graphql`, `parameters.json`). */
  dir: string;
  /** The nested stack names, as in `stacks/<name>.json`. */
  stacks: string[];
  /** Files under `resolvers/` and `pipelineFunctions/`. */
  resolvers: string[];
  pipelineFunctions: string[];
  /** Removes the temp project folder the build was written into (nothing when `outDir` was given). */
  remove(): void;
  /** What the transformer logged at WARN or ERROR. */
  warnings: string[];
}

export interface GenerateOptions {
  /** The annotated schema (`@model`, `@auth`, `@index`, `@hasMany` ...). */
  schema: string;
  /** Where to write; default a fresh temp folder `…/amplify/backend/api/<apiName>/build`. */
  outDir?: string;
  apiName?: string;
  /** Default: API key as the default mode. */
  authConfig?: AppSyncAuthConfiguration;
  /** Merged over the Gen 1 defaults below. */
  transformParameters?: Partial<TransformParameters>;
  /** Project-wide conflict detection (what DataStore needs): VERSION with this handler. */
  conflictHandler?: 'AUTOMERGE' | 'OPTIMISTIC_CONCURRENCY';
}

/**
 * The transform parameters a new Gen 1 project gets from its feature flags (amplify-category-api's
 * transformer-options-v2 maps each flag to one of these).
 */
const GEN1_PARAMETERS: TransformParameters = {
  enableTransformerCfnOutputs: true,
  shouldDeepMergeDirectiveConfigDefaults: true,
  disableResolverDeduping: true,
  sandboxModeEnabled: false,
  allowDestructiveGraphqlSchemaUpdates: false,
  replaceTableUponGsiUpdate: false,
  allowGen1Patterns: true,
  useSubUsernameForDefaultIdentityClaim: true,
  populateOwnerFieldForStaticGroupAuth: true,
  suppressApiKeyGeneration: false,
  subscriptionsInheritPrimaryAuth: false,
  secondaryKeyAsGSI: true,
  enableAutoIndexQueryNames: true,
  respectPrimaryKeyAttributesOnConnectionField: true,
  enableSearchNodeToNodeEncryption: false,
  enableSearchEncryptionAtRest: false,
};

const ROOT_STACK_ID = 'transformer-root-stack';

/** Resource types whose logical id the CLI keeps readable (the construct id), as it does for existing projects. */
const READABLE_IDS = new Set([
  'AWS::DynamoDB::Table',
  'AWS::CloudFormation::Stack',
  'AWS::AppSync::GraphQLApi',
  'AWS::RDS::DBCluster',
  'AWS::Elasticsearch::Domain',
]);

/** Collects the rendered templates and file assets instead of writing a cloud assembly's asset manifest. */
class BuildSynthesizer extends LegacyStackSynthesizer {
  readonly templates = new Map<string, unknown>();
  readonly files = new Map<string, string | Buffer>();
  private bucket?: CfnParameter;
  private rootKey?: CfnParameter;

  protected override synthesizeTemplate(session: ISynthesisSession): FileAssetSource {
    const stack = this.boundStack as BuildStack;
    const text = JSON.stringify(stack.render());
    this.templates.set(stack.node.id, JSON.parse(text));
    void session;
    return { sourceHash: createHash('sha256').update(text).digest('hex') };
  }

  /** Every asset lives under the deployment bucket and root key the CLI passes as parameters. */
  override addFileAsset(asset: FileAssetSource): FileAssetLocation {
    if (!this.bucket)
      this.bucket = new CfnParameter(this.boundStack, 'S3DeploymentBucket', { type: 'String', description: 'An S3 Bucket name where assets are deployed' });
    if (!this.rootKey) {
      this.rootKey = new CfnParameter(this.boundStack, 'S3DeploymentRootKey', {
        type: 'String',
        description: 'An S3 key relative to the S3DeploymentBucket that points to the root of the deployment directory.',
      });
    }
    const bucketName = this.bucket.valueAsString;
    const rootKey = this.rootKey.valueAsString;
    const stack = this.boundStack;
    return {
      bucketName,
      objectKey: `${rootKey}/${asset.fileName}`,
      httpUrl: `https://s3.${stack.region}.${stack.urlSuffix}/${bucketName}/${rootKey}/${asset.fileName}`,
      s3ObjectUrl: `s3://${bucketName}/${rootKey}/${asset.fileName}`,
    };
  }
}

function rootOf(scope: Construct): BuildStack {
  const root = scope.node.scopes.find((s) => Stack.isStack(s));
  if (!root) throw new Error('an Amplify asset needs a stack above it');
  return root as BuildStack;
}

class BuildStack extends Stack {
  /** The template as the CLI keeps it in memory (Stack's own renderer, reached the way the CLI reaches it). */
  render(): unknown {
    return (this as unknown as { _toCloudFormation(): unknown })._toCloudFormation();
  }

  protected override allocateLogicalId(element: CfnElement): string {
    if (element instanceof CfnResource && READABLE_IDS.has(element.cfnResourceType)) {
      const owner = [...element.node.scopes].reverse().find((s) => s.node.id !== 'Resource');
      const id = owner?.node.id.replace('.NestedStackResource', '');
      if (id && /^[A-Za-z0-9]+$/.test(id)) return id;
    }
    return super.allocateLogicalId(element);
  }
}

/** A nested stack whose template is the asset `stacks/<id>.json` of the root stack. */
class BuildNestedStack extends BuildStack {
  readonly nestedStackResource: CfnResource;
  private readonly parameters: Record<string, string> = {};
  private templateUrl?: string;
  private readonly root: BuildStack;
  private readonly inner: { name: string; id: string };

  constructor(scope: Construct, id: string) {
    const root = rootOf(scope);
    super(scope, id, { env: { account: root.account, region: root.region }, synthesizer: new BuildSynthesizer() });
    this.root = root;
    const holder = new Construct(scope, `${id}.NestedStack`);
    const resource = new CfnStack(holder, `${id}.NestedStackResource`, {
      templateUrl: Lazy.uncachedString({ produce: () => this.templateUrl ?? '<unresolved>' }),
      parameters: Lazy.any({ produce: () => (Object.keys(this.parameters).length > 0 ? this.parameters : undefined) }),
    });
    this.nestedStackResource = resource;
    // Seen from inside, the stack's own name/id; from the parent, taken from the Stack resource's Ref.
    this.inner = {
      name: this.contextual(Aws.STACK_NAME, Fn.select(1, Fn.split('/', resource.ref))),
      id: this.contextual(Aws.STACK_ID, resource.ref),
    };
  }

  override get stackName(): string {
    return this.inner?.name ?? super.stackName;
  }

  override get stackId(): string {
    return this.inner?.id ?? super.stackId;
  }

  setParameter(name: string, value: string): void {
    this.parameters[name] = value;
  }

  /** Called by the CDK's App.prepare for every nested stack (it looks for this method by name). */
  _prepareTemplateAsset(): boolean {
    if (this.templateUrl) return false;
    const text = JSON.stringify(this.render());
    const location = this.root.synthesizer.addFileAsset({
      packaging: FileAssetPackaging.FILE,
      sourceHash: createHash('sha256').update(text).digest('hex'),
      fileName: `stacks/${this.node.id}.json`,
    });
    this.templateUrl = location.httpUrl;
    return true;
  }

  private contextual(inside: string, outside: string): string {
    return Token.asString({ resolve: (context: IResolveContext) => (Stack.of(context.scope) === this ? inside : outside) });
  }
}

/** An S3 asset that the root synthesizer records as a file of the build folder. */
const provideAsset: AssetProvide = (scope, id, props) => {
  void new Construct(scope, id);
  const synthesizer = rootOf(scope).synthesizer as BuildSynthesizer;
  // A Lambda function's asset (`functions/*.zip`) names the zip the transformer built, as the CLI
  // copies it into the build folder; mapping templates and the schema carry their text.
  const content = props.fileName.startsWith('functions/') ? readFileSync(props.fileContent) : props.fileContent;
  synthesizer.files.set(props.fileName, content);
  const location = synthesizer.addFileAsset({
    fileName: props.fileName,
    packaging: FileAssetPackaging.FILE,
    sourceHash: createHash('sha256').update(props.fileContent).digest('hex'),
  });
  return {
    assetHash: createHash('sha256').update(props.fileContent).digest('hex'),
    httpUrl: location.httpUrl,
    s3BucketName: location.bucketName,
    s3ObjectKey: location.objectKey,
    s3ObjectUrl: location.s3ObjectUrl ?? `s3://${location.bucketName}/${location.objectKey}`,
  };
};

/**
 * Runs Amplify's transformer over `schema` and writes the Gen 1 build folder.
 * @returns where it wrote and what.
 */
export function generateAmplifyBuild(options: GenerateOptions): AmplifyBuild {
  const apiName = options.apiName ?? 'amplifyapp';
  const project = options.outDir ? undefined : mkdtempSync(join(tmpdir(), 'amplify-build-'));
  const dir = options.outDir ?? join(project!, 'amplify', 'backend', 'api', apiName, 'build');
  const cdkOut = mkdtempSync(join(tmpdir(), 'amplify-cdk-'));
  const app = new App({ outdir: cdkOut });
  const rootSynth = new BuildSynthesizer();
  const root = new BuildStack(app, ROOT_STACK_ID, { synthesizer: rootSynth });
  const nestedSynths: BuildSynthesizer[] = [];

  const env = new CfnParameter(root, 'env', { default: 'NONE', type: 'String' });
  const apiNameParam = new CfnParameter(root, 'AppSyncApiName', { default: 'AppSyncSimpleTransform', type: 'String' });
  const params = new Map<string, CfnParameter>([
    ['env', env],
    ['AppSyncApiName', apiNameParam],
  ]);
  const authConfig: AppSyncAuthConfiguration = options.authConfig ?? {
    defaultAuthentication: { authenticationType: 'API_KEY', apiKeyConfig: { apiKeyExpirationDays: 7 } },
    additionalAuthenticationProviders: [],
  };
  const modes = [authConfig.defaultAuthentication, ...(authConfig.additionalAuthenticationProviders ?? [])].map((m) => m.authenticationType);
  const synthParameters: ExecuteConfig['synthParameters'] = {
    amplifyEnvironmentName: env.valueAsString,
    apiName: apiNameParam.valueAsString,
    adminRoles: [],
    identityPoolId: '',
  };
  if (modes.includes('AWS_IAM')) {
    for (const name of ['authRoleName', 'unauthRoleName']) params.set(name, new CfnParameter(root, name, { type: 'String' }));
    synthParameters.authenticatedUserRoleName = params.get('authRoleName')!.valueAsString;
    synthParameters.unauthenticatedUserRoleName = params.get('unauthRoleName')!.valueAsString;
  }
  if (modes.includes('AMAZON_COGNITO_USER_POOLS')) {
    params.set('AuthCognitoUserPoolId', new CfnParameter(root, 'AuthCognitoUserPoolId', { type: 'String' }));
    synthParameters.userPoolId = params.get('AuthCognitoUserPoolId')!.valueAsString;
  }

  const warnings: string[] = [];
  try {
    executeTransform({
      schema: options.schema,
      scope: root,
      // Gen 1: every @model on a DynamoDB table the stack creates.
      dataSourceStrategies: constructDataSourceStrategies(options.schema, DDB_DEFAULT_DATASOURCE_STRATEGY),
      authConfig,
      // The enum types are the transformer's own; their values are these strings.
      resolverConfig: options.conflictHandler
        ? ({ project: { ConflictDetection: 'VERSION', ConflictHandler: options.conflictHandler } } as unknown as ExecuteConfig['resolverConfig'])
        : undefined,
      transformersFactoryArgs: {},
      transformParameters: { ...GEN1_PARAMETERS, ...options.transformParameters },
      synthParameters,
      nestedStackProvider: {
        provide: (scope: Construct, name: string) => {
          const stack = new BuildNestedStack(scope, name);
          nestedSynths.push(stack.synthesizer as BuildSynthesizer);
          return stack;
        },
      },
      assetProvider: { provide: provideAsset },
      parameterProvider: { provide: (name: string) => params.get(name) },
      printTransformerLog: (log: TransformerLog) => {
        if (log.level === 'ERROR' || log.level === 'WARN') warnings.push(log.message);
      },
    });
    app.synth({ force: true, skipValidation: true });
  } finally {
    // The CDK writes its assembly there; the build folder is what the tests read.
    rmSync(cdkOut, { recursive: true, force: true });
  }

  rmSync(dir, { recursive: true, force: true });
  const write = (rel: string, text: string | Buffer) => {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  };
  mkdirSync(join(dir, 'resolvers'), { recursive: true });
  mkdirSync(join(dir, 'pipelineFunctions'), { recursive: true });
  mkdirSync(join(dir, 'stacks'), { recursive: true });
  const resolvers: string[] = [];
  const pipelineFunctions: string[] = [];
  for (const [name, text] of rootSynth.files) {
    write(name, text);
    if (name.startsWith('resolvers/')) resolvers.push(name.slice('resolvers/'.length));
    if (name.startsWith('pipelineFunctions/')) pipelineFunctions.push(name.slice('pipelineFunctions/'.length));
  }
  const stacks: string[] = [];
  for (const synth of nestedSynths) {
    for (const [name, template] of synth.templates) {
      stacks.push(name);
      write(`stacks/${name}.json`, JSON.stringify(template, null, 4));
    }
  }
  write('cloudformation-template.json', JSON.stringify(rootSynth.templates.get(ROOT_STACK_ID), null, 4));
  // The CLI deploys the root stack with the project's parameters.json plus the deployment location.
  const parameters = {
    AppSyncApiName: apiName,
    DynamoDBBillingMode: 'PAY_PER_REQUEST',
    DynamoDBEnableServerSideEncryption: false,
    S3DeploymentBucket: `amplify-${apiName}-dev-deployment`,
    S3DeploymentRootKey: `amplify-appsync-files/${createHash('sha1').update(options.schema).digest('hex')}`,
  };
  write('parameters.json', JSON.stringify(parameters, null, 4));
  const remove = () => {
    if (project) rmSync(project, { recursive: true, force: true });
  };
  return { dir, stacks: stacks.sort(), resolvers: resolvers.sort(), pipelineFunctions: pipelineFunctions.sort(), remove, warnings };
}
