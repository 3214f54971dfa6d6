/** ARNs, names and error bodies of the Step Functions API (pure functions). */
import { describe, expect, it } from 'vitest';
import { activityArn, checkName, executionArn, expectArn, isValidName, stateMachineArn, DEFAULT_SCOPE } from '../../../src/stepfunctions/service/arns.js';
import { executionDoesNotExist, SfnApiError, validationError } from '../../../src/stepfunctions/service/errors.js';

describe('ARNs', () => {
  it('builds state machine, execution, express and activity ARNs', () => {
    expect(stateMachineArn(DEFAULT_SCOPE, 'm')).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:m');
    expect(executionArn(DEFAULT_SCOPE, 'm', 'e')).toBe('arn:aws:states:us-east-1:123456789012:execution:m:e');
    expect(executionArn(DEFAULT_SCOPE, 'm', 'e', true)).toBe('arn:aws:states:us-east-1:123456789012:express:m:e');
    expect(activityArn({ region: 'eu-west-1', accountId: '000000000000' }, 'a')).toBe('arn:aws:states:eu-west-1:000000000000:activity:a');
  });

  it('refuses ARNs of another kind or shape with InvalidArn', () => {
    expect(expectArn('arn:aws:states:us-east-1:123456789012:stateMachine:m', ['stateMachine'], 1).parts).toEqual(['m']);
    const kind = (() => {
      try {
        expectArn('arn:aws:states:us-east-1:123456789012:activity:a', ['stateMachine'], 1);
      } catch (e) {
        return e as SfnApiError;
      }
    })();
    expect(kind?.toJSON()).toEqual({
      __type: 'com.amazonaws.swf.service.v2.model#InvalidArn',
      message: "Invalid Arn: 'Resource type not valid in this context: activity'",
    });
    expect(() => expectArn('arn:aws:lambda:us-east-1:123456789012:function:f', ['stateMachine'], 1)).toThrow(/Invalid Arn/);
    expect(() => expectArn('arn:aws:states:us-east-1:123456789012:execution:m', ['execution'], 2)).toThrow(/Invalid Arn/);
  });
});

describe('names', () => {
  it('accepts 1-80 characters without whitespace, brackets, wildcards, specials or controls', () => {
    expect(isValidName('order-42_ok.v1')).toBe(true);
    expect(isValidName('x'.repeat(80))).toBe(true);
    for (const bad of [
      '',
      'x'.repeat(81),
      'a b',
      'a<b',
      'a{b',
      'a[b',
      'a?b',
      'a*b',
      'a"b',
      'a#b',
      'a%b',
      'a\\b',
      'a^b',
      'a|b',
      'a~b',
      'a`b',
      'a$b',
      'a&b',
      'a,b',
      'a;b',
      'a:b',
      'a/b',
      'a\u0001b',
      'a\u007fb',
    ]) {
      expect(isValidName(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(() => checkName('a b')).toThrow("Invalid Name: 'a b'");
  });
});

describe('error bodies', () => {
  it('carry the namespaced __type the SDK reads and AWS messages', () => {
    const e = executionDoesNotExist('arn:x');
    expect(e.statusCode).toBe(400);
    expect(e.name).toBe('ExecutionDoesNotExist');
    expect(e.toJSON()).toEqual({ __type: 'com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist', message: "Execution Does Not Exist: 'arn:x'" });
    expect(validationError('roleArn', undefined, 'Member must not be null').toJSON()).toEqual({
      __type: 'com.amazon.coral.validate#ValidationException',
      message: "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    });
  });
});
