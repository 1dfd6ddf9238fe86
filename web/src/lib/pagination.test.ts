import { describe, expect, it } from "vitest";
import { nameContains, previousPageOf } from "./pagination";

describe("nameContains", () => {
  it("filters by name only when there is a search", () => {
    expect(nameContains("")).toEqual({});
    expect(nameContains("Summer")).toEqual({ name_contains: "Summer" });
  });
});

describe("previousPageOf", () => {
  const shown = { items: ["a"], total: 41 };

  it("keeps the page shown while another page of the same list loads", () => {
    const keep = previousPageOf<typeof shown>(["audiences", 2, "seg-1", "sum"], 1);
    expect(keep(shown, { queryKey: ["audiences", 1, "seg-1", "sum"] })).toBe(shown);
  });

  it("never lets another filter's or search's answers stand in", () => {
    const keep = previousPageOf<typeof shown>(["audiences", 2, "seg-1", "sum"], 1);
    expect(keep(shown, { queryKey: ["audiences", 2, "seg-2", "sum"] })).toBeUndefined();
    expect(keep(shown, { queryKey: ["audiences", 1, "seg-1", "summer"] })).toBeUndefined();
    expect(keep(shown, { queryKey: ["audiences", 1, null, "sum"] })).toBeUndefined();
  });

  it("has nothing to keep on the first load", () => {
    const keep = previousPageOf<typeof shown>(["segments", 1, ""], 1);
    expect(keep(undefined, undefined)).toBeUndefined();
    expect(keep(shown, { queryKey: ["segments", 1] })).toBeUndefined();
  });
});

describe("previousPageOf with several free positions", () => {
  it("keeps the run's objects across its outcome filter but not across runs", () => {
    const shown = { id: "run-1" };
    const keep = previousPageOf<typeof shown>(["rule-runs", "run-1", "acted", 1], [2, 3]);
    expect(keep(shown, { queryKey: ["rule-runs", "run-1", "all", 3] })).toBe(shown);
    expect(keep(shown, { queryKey: ["rule-runs", "run-2", "acted", 1] })).toBeUndefined();
  });
});
