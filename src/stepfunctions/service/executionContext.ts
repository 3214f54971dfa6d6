/**
 * The context object (`$$`) an execution's states read: its ARN, input, name, role, start time
 * and redrive count, and the machine's ARN and name. Standard and Express runs build it alike.
 */
export function executionContext(
  arn: string,
  name: string,
  input: unknown,
  startDate: number,
  sm: { arn: string; name: string; roleArn: string },
  redriveCount = 0,
) {
  return {
    Execution: { Id: arn, Input: input, Name: name, RoleArn: sm.roleArn, StartTime: new Date(startDate).toISOString(), RedriveCount: redriveCount },
    StateMachine: { Id: sm.arn, Name: sm.name },
  };
}
