import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { type DateRange, lastDays } from "../lib/metrics";
import { preset } from "../test-range";
import { DateRangeControl, rangeLabel } from "./DateRangeControl";

/** The control with its range held by its parent, as a page holds it. */
function Held({ initial }: { initial: DateRange }) {
  const [range, setRange] = useState(initial);
  return (
    <>
      <DateRangeControl range={range} onChange={setRange} />
      <output aria-label="Range in force">{`${range.start}/${range.end}`}</output>
    </>
  );
}

describe("DateRangeControl", () => {
  it("shows the preset matching the range pressed, and a preset sets its range", async () => {
    render(<Held initial={lastDays(30)} />);
    expect(preset(30)).toHaveAttribute("aria-pressed", "true");
    expect(preset(7)).toHaveAttribute("aria-pressed", "false");
    const user = userEvent.setup();
    await user.click(preset(7));
    const week = lastDays(7);
    expect(screen.getByLabelText("From")).toHaveValue(week.start);
    expect(screen.getByLabelText("To")).toHaveValue(week.end);
    expect(screen.getByLabelText("Range in force")).toHaveTextContent(`${week.start}/${week.end}`);
    expect(preset(7)).toHaveAttribute("aria-pressed", "true");
    expect(preset(30)).toHaveAttribute("aria-pressed", "false");
  });

  it("presses no preset for a range of the user's own", () => {
    render(<Held initial={{ start: "2026-01-01", end: "2026-01-31" }} />);
    for (const days of [7, 30, 90]) expect(preset(days)).toHaveAttribute("aria-pressed", "false");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says why a reversed range is refused, under From", () => {
    render(<Held initial={{ start: "2026-02-01", end: "2026-01-01" }} />);
    expect(screen.getByLabelText("From")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("alert")).toHaveTextContent(
      "The start date must be on or before the end date.",
    );
  });
});

describe("rangeLabel", () => {
  it("names a preset's range by the preset, any other by its dates", () => {
    expect(rangeLabel(lastDays(30))).toBe("Last 30 days");
    expect(rangeLabel(lastDays(7))).toBe("Last 7 days");
    expect(rangeLabel(lastDays(14))).toBe(`${lastDays(14).start} to ${lastDays(14).end}`);
    expect(rangeLabel({ start: "2026-01-01", end: "2026-01-31" })).toBe("2026-01-01 to 2026-01-31");
  });
});
