import type { Platform } from "./queries";

export const PLATFORM_NAMES: Record<Platform, string> = {
  meta: "Meta",
  google: "Google",
  tiktok: "TikTok",
  snapchat: "Snapchat",
};

export const PLATFORMS = Object.keys(PLATFORM_NAMES) as Platform[];

export function isPlatform(value: string | undefined): value is Platform {
  return value !== undefined && value in PLATFORM_NAMES;
}

/** The code and state a platform's consent page sent back (TikTok names its code `auth_code`). */
export function consentResult(search: URLSearchParams): {
  code: string | null;
  state: string | null;
  error: string | null;
} {
  const error = search.get("error_description") ?? search.get("error");
  return {
    code: search.get("code") ?? search.get("auth_code"),
    state: search.get("state"),
    error,
  };
}
