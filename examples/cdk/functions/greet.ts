/** A NodejsFunction entry: `cdk synth` bundles it with esbuild into the assembly's asset folder. */
export const handler = async (event: { arguments?: { name?: string }; name?: string }): Promise<string> =>
  `${process.env.GREETING ?? 'hello'} ${event.arguments?.name ?? event.name ?? 'there'}`;
