import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useDebouncedValue } from "./useDebouncedValue";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("useDebouncedValue", () => {
  it("gives the value once it has stayed the same for the delay", () => {
    const { result, rerender } = renderHook(({ value }) => useDebouncedValue(value, 250), {
      initialProps: { value: "" },
    });
    expect(result.current).toBe("");
    rerender({ value: "sp" });
    act(() => vi.advanceTimersByTime(249));
    expect(result.current).toBe("");
    act(() => vi.advanceTimersByTime(1));
    expect(result.current).toBe("sp");
  });

  it("starts the wait again on each change, so a burst gives only its last value", () => {
    const seen: string[] = [];
    const { rerender } = renderHook(
      ({ value }) => {
        const settled = useDebouncedValue(value, 250);
        if (seen.at(-1) !== settled) seen.push(settled);
        return settled;
      },
      { initialProps: { value: "" } },
    );
    for (const value of ["s", "sp", "spr", "spring"]) {
      rerender({ value });
      act(() => vi.advanceTimersByTime(200));
    }
    expect(seen).toEqual([""]);
    act(() => vi.advanceTimersByTime(50));
    expect(seen).toEqual(["", "spring"]);
  });
});
