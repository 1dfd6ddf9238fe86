// A sign-in session's device, named from the User-Agent it signed in with ("Chrome on Linux").

export const UNKNOWN_DEVICE = "Unknown device";
/** What the Python SDK and the CLI built on it send: `adscale-python/<version>`. */
export const PYTHON_CLIENT = "AdScale CLI / Python SDK";

// First match wins: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b/, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\b(?:Firefox|FxiOS)\//, "Firefox"],
  [/\b(?:Chrome|CriOS|HeadlessChrome|Chromium)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\//, "Safari"],
];

// iOS and Android say "like Mac OS X" and "Linux" too: they come first.
const SYSTEMS: [RegExp, string][] = [
  [/\biPhone\b|\biPod\b/, "iPhone"],
  [/\biPad\b/, "iPad"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMacintosh\b|\bMac OS X\b/, "macOS"],
  [/\bLinux\b|\bX11\b/, "Linux"],
];

function firstMatch(userAgent: string, table: [RegExp, string][]): string | undefined {
  return table.find(([pattern]) => pattern.test(userAgent))?.[1];
}

/** "Chrome on Linux", "Safari on iPhone", "AdScale CLI / Python SDK", "curl"; the browser or
 * the system alone when only one is known; "Unknown device" otherwise. */
export function deviceName(userAgent: string | null | undefined): string {
  const agent = userAgent?.trim() ?? "";
  if (!agent) return UNKNOWN_DEVICE;
  if (/^adscale-python\//i.test(agent)) return PYTHON_CLIENT;
  if (/^curl\//i.test(agent)) return "curl";
  const browser = firstMatch(agent, BROWSERS);
  const system = firstMatch(agent, SYSTEMS);
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? UNKNOWN_DEVICE;
}
