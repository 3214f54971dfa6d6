/** Telling a CloudFormation/SAM template from the gateway's own config file (isCloudFormationInput). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCloudFormationInput } from '../../../src/config/cloudformation/index.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const CASES: Array<{ name: string; file: string; text: string; expected: boolean }> = [
  { name: 'AWSTemplateFormatVersion', file: 't.yaml', text: "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", expected: true },
  { name: 'the SAM transform', file: 't.yml', text: 'Transform: AWS::Serverless-2016-10-31\nResources: {}\n', expected: true },
  { name: 'an AppSync resource in JSON', file: 't.json', text: '{"Resources":{"Api":{"Type":"AWS::AppSync::GraphQLApi"}}}', expected: true },
  { name: 'a SAM resource', file: 't.template', text: 'Resources:\n  Api:\n    Type: AWS::Serverless::GraphQLApi\n', expected: true },
  {
    name: "the gateway's own config",
    file: 'appsync.config.yml',
    text: 'name: x\nschema: schema.graphql\nauthentication:\n  type: API_KEY\n',
    expected: false,
  },
  { name: 'a marker only in a value that is no template key', file: 'c.yml', text: 'name: AWSTemplateFormatVersion\n', expected: false },
  { name: 'a file that does not parse, with a marker', file: 'bad.yml', text: 'AWSTemplateFormatVersion: [\n', expected: false },
];

describe('isCloudFormationInput', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.expected}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-detect-'));
      dirs.push(dir);
      await writeFile(join(dir, c.file), c.text);
      expect(await isCloudFormationInput(join(dir, c.file))).toBe(c.expected);
    });
  }
});
