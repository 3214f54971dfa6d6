/**
 * A local stand-in for the IAM policy AppSync evaluates for `AWS_IAM` callers (docs/auth.md#aws_iam:
 * `appsync:GraphQL` on `arn:aws:appsync:<region>:<account>:apis/<apiId>/types/<Type>/fields/<field>`).
 * Local addition: each configured credential may list the fields it may call in `allow`, either as
 * `Type.field` globs (`Query.*`) or as resource ARN globs, `*` matching any run of characters as in
 * IAM. No `allow` = every field whose directives admit AWS_IAM.
 */

/** True when the caller's policy lets it resolve `typeName.fieldName`. */
export type FieldPolicy = (typeName: string, fieldName: string) => boolean;

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
  );

/** Compiles `allow` patterns once; answers are memoised per field. */
export function compileFieldPolicy(patterns: readonly string[], resource: { region: string; accountId: string; apiId: string }): FieldPolicy {
  const short = patterns.filter((p) => !p.startsWith('arn:')).map(globToRegExp);
  const arns = patterns.filter((p) => p.startsWith('arn:')).map(globToRegExp);
  const prefix = `arn:aws:appsync:${resource.region}:${resource.accountId}:apis/${resource.apiId}/types/`;
  const memo = new Map<string, boolean>();
  return (typeName, fieldName) => {
    const key = `${typeName}.${fieldName}`;
    let allowed = memo.get(key);
    if (allowed === undefined) {
      const arn = `${prefix}${typeName}/fields/${fieldName}`;
      allowed = short.some((re) => re.test(key)) || arns.some((re) => re.test(arn));
      memo.set(key, allowed);
    }
    return allowed;
  };
}
