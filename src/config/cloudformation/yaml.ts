/**
 * Reading a template file: JSON, or YAML with CloudFormation's short forms (`!Ref X`,
 * `!GetAtt X.Arn`, `!Sub …`), which become the long forms CloudFormation reads them as.
 */
import { readFile } from 'node:fs/promises';
import { YAMLParseError, parse as parseYaml, type Tags } from 'yaml';
import { ConfigError } from '../../errors.js';

/** The intrinsic functions YAML templates may write as `!Name` (CloudFormation's "short form"). */
const SHORT_FORMS = [
  'Ref',
  'Condition',
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'ImportValue',
  'FindInMap',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Base64',
  'GetAZs',
  'Cidr',
  'Length',
  'ToJsonString',
  'Transform',
];

/** The `yaml` package's custom tags, one per short form and node kind (scalar, sequence, mapping). */
export const cloudFormationYamlTags: Tags = SHORT_FORMS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  // `!GetAtt Table.Arn` is the one short form whose scalar is split: the long form takes [id, attribute].
  const build = (value: unknown) => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? splitGetAtt(value) : value });
  return [
    { tag: `!${name}`, resolve: (value: string) => build(value) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (value: { toJSON(): unknown }) => build(value.toJSON()) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (value: { toJSON(): unknown }) => build(value.toJSON()) },
  ];
});

/** `Stack.Outputs.Url` → `['Stack', 'Outputs.Url']`: the logical id ends at the first dot. */
function splitGetAtt(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

/** Parses template text (JSON or YAML by content, as CloudFormation accepts both). */
export function parseTemplateText(text: string, file: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError(file, (error as Error).message);
    }
  }
  try {
    // CloudFormation's YAML is 1.1-flavoured but `yes`/`no` stay strings there too; the core schema keeps them so.
    return parseYaml(text, { customTags: cloudFormationYamlTags, maxAliasCount: -1 });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const pos = error.linePos?.[0];
      throw new ConfigError(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}`, error.message.split('\n')[0] ?? 'YAML error');
    }
    throw error;
  }
}

/** Reads and parses a template file. */
export async function readTemplateFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, `cannot read the template (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseTemplateText(text, file);
}
