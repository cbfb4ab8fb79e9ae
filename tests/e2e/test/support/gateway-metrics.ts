// Reading the gateways' Prometheus /metrics from tests: what a test cannot see from the client side
// (a paused reader never notices its socket being closed).

/** The value of an unlabelled sample `name` in Prometheus text, or 0 when it is absent. */
export function sampleValue(text: string, name: string): number {
  const match = new RegExp(`^${name} ([0-9.eE+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** `name` summed over every gateway's `/metrics`. */
export async function sumOverGateways(gatewayUrls: readonly string[], name: string): Promise<number> {
  const texts = await Promise.all(gatewayUrls.map(async (url) => (await fetch(`${url}/metrics`)).text()));
  return texts.reduce((sum, text) => sum + sampleValue(text, name), 0);
}
