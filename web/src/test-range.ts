/** Unit tests' look at a page's DateRangeControl. */
import { screen } from "@testing-library/react";
import { expect } from "vitest";

/** The "Last N days" preset button. */
export const preset = (days: number) => screen.getByRole("button", { name: `Last ${days} days` });

/** The control shows `start`..`end` in its date inputs and, a range of no preset, none pressed. */
export function expectCustomRange(start: string, end: string) {
  expect(screen.getByLabelText("From")).toHaveValue(start);
  expect(screen.getByLabelText("To")).toHaveValue(end);
  for (const days of [7, 30, 90]) {
    expect(preset(days)).toHaveAttribute("aria-pressed", "false");
  }
}
