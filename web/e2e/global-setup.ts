// The suite needs the running stack (gateway on 8107 serving web/dist).
export default async function globalSetup(): Promise<void> {
  const base = process.env.ADSCALE_GATEWAY_URL ?? "http://127.0.0.1:8107";
  try {
    const response = await fetch(`${base}/api/v1/health`);
    if (response.ok) return;
    throw new Error(`health answered ${response.status}`);
  } catch (error) {
    throw new Error(
      `The stack is not up at ${base} (${String(error)}): run \`make up\` first, or run the suite through deploy/run_tests.py web.`,
    );
  }
}
