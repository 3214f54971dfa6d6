/**
 * The error catalogue is closed: every `errorType` that src/ can emit is a row of
 * ERROR_CATALOGUE (or belongs to a data-source family), every row is emitted somewhere, and
 * docs/errors.md carries the table generated from it (`npm run docs:errors` rewrites it).
 *
 * The emitted types are read from the source with TypeScript's parser, not listed by hand: the
 * second argument of `new` on any class of the AppSyncError hierarchy (and of its
 * `super(...)` calls and `errorType = '…'` defaults), `{ errorType | type, message }` object
 * literals, and the errorType argument of the few helpers that build error bodies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  AppSyncError,
  CodeLoadError,
  ConfigError,
  ConfigErrors,
  ERROR_CATALOGUE,
  ERROR_FAMILIES,
  ERROR_TYPES,
  SchemaError,
  errorTableMarkdown,
  passedOn,
} from '../src/errors.js';

const SRC = new URL('../src/', import.meta.url).pathname;

/** Helpers whose argument at this index is an errorType. */
const ERROR_TYPE_ARGUMENT: Record<string, number> = { toErrorValue: 1, requestFailure: 1, sendJson: 4 };

/**
 * Subclasses whose names belong to another catalogue: SfnApiError answers the Step Functions API
 * (its names are the closed SfnErrorName union, documented in docs/stepfunctions.md).
 */
const NOT_APPSYNC = new Set(['SfnApiError']);

interface Emitted {
  /** The literal text; a template's holes read `${…}`. */
  type: string;
  where: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The string values an expression can take, as far as its literals tell. */
function literals(node: ts.Expression): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [node.head.text + node.templateSpans.map((span) => '${…}' + span.literal.text).join('')];
  if (ts.isConditionalExpression(node)) return [...literals(node.whenTrue), ...literals(node.whenFalse)];
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return literals(node.expression);
  return [];
}

function scan(): Emitted[] {
  const files = sourceFiles(SRC).map((file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true));

  // The AppSyncError hierarchy, found from the class declarations themselves.
  const parents = new Map<string, string>();
  for (const file of files) {
    file.forEachChild(function visit(node): void {
      if (ts.isClassDeclaration(node) && node.name) {
        const base = node.heritageClauses?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
        if (base && ts.isIdentifier(base)) parents.set(node.name.text, base.text);
      }
      node.forEachChild(visit);
    });
  }
  const isAppSyncClass = (name: string): boolean => {
    if (NOT_APPSYNC.has(name)) return false;
    for (let at: string | undefined = name; at; at = parents.get(at)) if (at === 'AppSyncError') return true;
    return false;
  };

  const found: Emitted[] = [];
  for (const file of files) {
    const add = (node: ts.Node, expr: ts.Expression) => {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart());
      for (const type of literals(expr)) found.push({ type, where: `${file.fileName.slice(SRC.length)}:${line + 1}` });
    };
    file.forEachChild(function visit(node): void {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && isAppSyncClass(node.expression.text)) {
        const arg = node.arguments?.[1];
        if (arg) add(node, arg);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword) {
        const cls = ts.findAncestor(node, ts.isClassDeclaration);
        const arg = node.arguments[1];
        if (cls?.name && isAppSyncClass(cls.name.text) && arg) add(node, arg);
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text in ERROR_TYPE_ARGUMENT) {
        const arg = node.arguments[ERROR_TYPE_ARGUMENT[node.expression.text]!];
        if (arg) add(node, arg);
      }
      if (ts.isParameter(node) && node.initializer && ts.isIdentifier(node.name) && node.name.text === 'errorType') add(node, node.initializer);
      if (ts.isObjectLiteralExpression(node)) {
        const props = new Map(
          node.properties.filter(ts.isPropertyAssignment).flatMap((p) => (ts.isIdentifier(p.name) ? [[p.name.text, p.initializer] as const] : [])),
        );
        const hasMessage = node.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'message');
        const typed = props.get('errorType') ?? props.get('type');
        if (hasMessage && typed) add(node, typed);
      }
      node.forEachChild(visit);
    });
  }
  return found;
}

const emitted = scan();
const catalogued = new Set<string>(ERROR_TYPES);
const inFamily = (type: string) => ERROR_FAMILIES.some((family) => type.startsWith(`${family.prefix}:`) && type.length > family.prefix.length + 1);

describe('the error catalogue (src/errors.ts)', () => {
  it('finds the emitted types in the source (the scan itself works)', () => {
    const types = new Set(emitted.map((e) => e.type));
    for (const known of ['UnauthorizedException', 'Code', 'MaxConflicts', 'DeltaSyncWriteError', 'RDSHttp:BadRequestException']) expect(types).toContain(known);
    expect([...types].some((t) => t.startsWith('StepFunctions:'))).toBe(true);
  });

  it('has a row for every errorType src/ emits, or a family for its prefix', () => {
    const missing = emitted.filter((e) => !catalogued.has(e.type) && !inFamily(e.type));
    expect(missing).toEqual([]);
  });

  it('lists only types that src/ emits', () => {
    const types = new Set(emitted.map((e) => e.type));
    expect(ERROR_TYPES.filter((type) => !types.has(type))).toEqual([]);
    for (const family of ERROR_FAMILIES)
      expect(
        emitted.some((e) => e.type.startsWith(`${family.prefix}:`)),
        family.prefix,
      ).toBe(true);
  });

  it('names each type once', () => {
    expect(new Set(ERROR_TYPES).size).toBe(ERROR_CATALOGUE.length);
  });

  it('is the table in docs/errors.md (npm run docs:errors rewrites it)', () => {
    const page = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    expect(page).toContain(errorTableMarkdown());
    for (const type of ERROR_TYPES) expect(page).toContain(`| \`${type}\` |`);
  });

  it('is closed to names the gateway picks itself (npm run typecheck checks the directives)', () => {
    // @ts-expect-error a type that is in neither the catalogue nor a family
    const unknown = new AppSyncError('x', 'NoSuchType');
    const family = new AppSyncError('x', 'DynamoDB:ProvisionedThroughputExceededException');
    const user = new AppSyncError('x', passedOn('MyAppError'));
    expect([unknown.errorType, family.errorType, user.errorType]).toEqual(['NoSuchType', 'DynamoDB:ProvisionedThroughputExceededException', 'MyAppError']);
  });
});

describe('errors that stop the gateway before it serves', () => {
  it('carry a stable code', () => {
    const config = new ConfigError('resolvers.Query.x', 'no data source');
    expect(config.code).toBe('CONFIG_INVALID');
    expect(new ConfigErrors([config]).code).toBe('CONFIG_INVALID');
    expect(new SchemaError('Unknown type "Nope".', { file: 's.graphql', line: 1 }).code).toBe('SCHEMA_INVALID');
    expect(new CodeLoadError('resolvers/x.js', 'Could not resolve "fs"', 3).code).toBe('CODE_LOAD_FAILED');
  });
});
