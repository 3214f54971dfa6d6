/** Lambda functions of a template, run in the gateway's process (docs/cloudformation.md#lambda-functions). */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Located, Problems } from './resources.js';
import { scratchFile } from './scratch.js';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

const NODE_RUNTIME = /^nodejs\d+\.x$/;

/**
 * Lambda reads a `.js` handler as CommonJS unless a package.json inside the function's code says
 * otherwise; Node looks further up, and a CDK assembly inside an ESM project (`"type": "module"`)
 * would make esbuild's CommonJS bundle fail. A CDK asset folder without its own package.json gets
 * one saying `commonjs` (Gateway choice: the assembly is build output `cdk synth` rewrites).
 */
function markCommonJs(folder: string): void {
  if (!basename(folder).startsWith('asset.') || existsSync(join(folder, 'package.json'))) return;
  writeFileSync(join(folder, 'package.json'), '{ "type": "commonjs" }\n');
}

/**
 * Lambda functions of the input that the gateway runs in-process: Node.js runtimes with their
 * code in a local folder (a CDK asset, a SAM `CodeUri`) or inline (`ZipFile`, `InlineCode`).
 * Registered as `serverlessFunctions` by name, which the Lambda data source, the Lambda
 * authorizer and Step Functions Task states already resolve to a handler.
 */
export class LocalFunctions {
  private readonly byArnMap = new Map<string, Located>();
  private readonly registered: Record<string, { handler: string }> = {};

  constructor(
    resources: Located[],
    problems: Problems,
    private readonly scratchDir: string | undefined,
  ) {
    for (const r of resources) {
      if (r.type !== 'AWS::Lambda::Function' && r.type !== 'AWS::Serverless::Function') continue;
      const arn = problems.attempt(() => r.stack.evaluator.getAtt(r.logicalId, 'Arn', `Resources.${r.logicalId}`));
      if (typeof arn === 'string') this.byArnMap.set(arn, r);
    }
  }

  /** The local function an ARN names (its name, registered), or undefined for a function outside the input. */
  byArn(arn: string, path: string): string | undefined {
    // `…:function:name:alias` and `…/invocations` (API Gateway style) name the same function.
    const plain = arn.replace(/\/invocations$/, '').replace(/^(arn:aws:lambda:[^:]+:[^:]+:function:[^:/]+)(:.*)?$/, '$1');
    const r = this.byArnMap.get(plain);
    if (!r) return undefined;
    const ev = r.stack.evaluator;
    const name = ev.physicalId(r.logicalId, path);
    if (this.registered[name]) return name;
    const p = (key: string) => ev.property(r.logicalId, key);
    const at = (key: string) => `Resources.${r.logicalId}.Properties.${key}`;
    const runtime = String(p('Runtime') ?? '');
    if (!NODE_RUNTIME.test(runtime)) {
      // Another runtime runs where a Lambda Invoke API serves it (`sam local start-lambda`, which names functions by logical id).
      const endpoint = process.env.AWS_ENDPOINT_URL_LAMBDA;
      if (endpoint) {
        this.remote.set(r.logicalId, endpoint);
        return r.logicalId;
      }
      throw ev.error(
        at('Runtime'),
        `function ${r.logicalId} uses runtime ${runtime || '(none)'}: the gateway runs Node.js functions only (nodejsNN.x); ${path} names it ` +
          '(set AWS_ENDPOINT_URL_LAMBDA to a Lambda Invoke API that runs it, e.g. `sam local start-lambda`)',
      );
    }
    const handler = String(p('Handler') ?? '');
    const dot = handler.lastIndexOf('.');
    if (dot <= 0) throw ev.error(at('Handler'), `expected file.export, got ${JSON.stringify(handler)}`);
    let folder: string;
    if (r.type === 'AWS::Serverless::Function') {
      const inline = p('InlineCode');
      const codeUri = p('CodeUri');
      if (typeof inline === 'string') folder = resolve(scratchFile(this.scratchDir, `${r.logicalId}/${handler.slice(0, dot)}.cjs`, inline), '..');
      else if (typeof codeUri === 'string') folder = r.stack.locate(codeUri, at('CodeUri'));
      else if (isObject(codeUri)) folder = r.stack.locate(`s3://${codeUri.Bucket}/${codeUri.Key}`, at('CodeUri'));
      else folder = r.stack.dir;
    } else {
      const code = (p('Code') ?? {}) as Record<string, unknown> | string;
      // A local path is what `aws cloudformation package` uploads; the gateway reads it where it is.
      if (typeof code === 'string') folder = r.stack.locate(code, at('Code'));
      else if (typeof code.ZipFile === 'string')
        folder = resolve(scratchFile(this.scratchDir, `${r.logicalId}/${handler.slice(0, dot)}.cjs`, code.ZipFile), '..');
      else if (typeof code.S3Key === 'string') folder = r.stack.locate(`s3://${String(code.S3Bucket)}/${code.S3Key}`, at('Code'));
      else throw ev.error(at('Code'), 'expected ZipFile or S3Bucket/S3Key (an image package cannot run locally)');
    }
    if (!statSync(folder).isDirectory()) throw ev.error(at('Code'), `${folder} is a file: expected the function's code folder (zip files are not unpacked)`);
    markCommonJs(folder);
    this.registered[name] = { handler: join(folder, handler) };
    const environment = (p('Environment') as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    for (const [key, value] of Object.entries(environment ?? {})) {
      const previous = this.environment[key];
      if (previous !== undefined && previous.value !== String(value))
        this.conflicts.push(`${key} (${previous.owner}: ${JSON.stringify(previous.value)}, ${r.logicalId}: ${JSON.stringify(String(value))})`);
      else this.environment[key] = { value: String(value), owner: r.logicalId };
    }
    return name;
  }

  /** Registers the input's functions whose ARN appears in `text` (a state machine definition). */
  registerNamedIn(text: string, path: string): void {
    for (const arn of this.byArnMap.keys()) if (text.includes(arn)) this.byArn(arn, path);
  }

  /** `Environment.Variables` of the functions used so far, with the function that set each. */
  readonly environment: Record<string, { value: string; owner: string }> = {};
  /** Variables two functions set to different values (in-process functions share one environment). */
  readonly conflicts: string[] = [];

  /** Functions of other runtimes invoked through the Lambda Invoke API at `AWS_ENDPOINT_URL_LAMBDA`: name → endpoint. */
  readonly remote = new Map<string, string>();

  /** The functions used so far: name → handler. */
  used(): Record<string, { handler: string }> {
    return this.registered;
  }
}
