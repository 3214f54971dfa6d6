// A Lambda handler run in-process by the gateway (AWS_LAMBDA data source, `handler: functions/weather.mjs#handler`).
// The same file deploys to AWS Lambda unchanged: it uses only the (event, context) signature.
const CONDITIONS = ['sunny', 'cloudy', 'rain', 'windy'];

export async function handler(event) {
  const city = String(event.arguments?.city ?? event.city ?? 'nowhere');
  // Deterministic "forecast" so the example's answers are reproducible.
  const seed = [...city].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);
  return { city, condition: CONDITIONS[seed % CONDITIONS.length], highC: 10 + (seed % 20) };
}
