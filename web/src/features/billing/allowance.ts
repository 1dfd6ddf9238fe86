// Usage against a plan's limit, as the billing page shows it.

export interface AllowanceView {
  text: string;
  percent: number | null;
  full: boolean;
}

export function allowanceView(used: number, limit: number | null): AllowanceView {
  if (limit === null) return { text: `${used} of unlimited`, percent: null, full: false };
  const percent = limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 100;
  return { text: `${used} of ${limit}`, percent, full: used >= limit };
}

const RANK = { free: 0, pro: 1, enterprise: 2 } as const;

/** Whether moving from `current` to `target` is an upgrade (Checkout sells only upgrades). */
export function isUpgrade(current: keyof typeof RANK, target: keyof typeof RANK): boolean {
  return RANK[target] > RANK[current];
}
