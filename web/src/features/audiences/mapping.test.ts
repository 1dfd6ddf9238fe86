import { describe, expect, it } from "vitest";
import {
  type ColumnDecision,
  mappingParam,
  targetLabel,
  targetOptions,
  traitName,
} from "./mapping";

const column = (header: string, target: string, position = 0): ColumnDecision => ({
  header,
  target,
  position,
  decided_by: "alias",
});

describe("import mapping", () => {
  it("names traits as audience-sync does", () => {
    expect(traitName("  Member Rating ")).toBe("member_rating");
    expect(traitName("TAGS")).toBe("tags");
  });

  it("offers every field, a trait named after the column, and ignore", () => {
    const values = targetOptions(column("Phone Number", "phone")).map((o) => o.value);
    expect(values).toContain("email");
    expect(values).toContain("external_id");
    expect(values).toContain("trait:phone_number");
    expect(values.at(-1)).toBe("ignore");
    expect(new Set(values).size).toBe(values.length);
  });

  it("keeps a trait the preview decided under another name as a choice", () => {
    const values = targetOptions(column("Tier", "trait:loyalty")).map((o) => o.value);
    expect(values).toContain("trait:loyalty");
    expect(values).toContain("trait:tier");
  });

  it("labels targets for people", () => {
    expect(targetLabel("ignore")).toBe("Ignore");
    expect(targetLabel("trait:tier")).toBe("Trait “tier”");
    expect(targetLabel("zip")).toBe("ZIP / postal code");
  });

  it("sends the chosen columns only, and nothing when none was chosen", () => {
    const columns = [column("Email Address", "email"), column("Phone Number", "phone", 1)];
    expect(mappingParam(columns, {})).toBeUndefined();
    expect(JSON.parse(mappingParam(columns, { "Phone Number": "ignore" }) ?? "{}")).toEqual({
      "Phone Number": "ignore",
    });
  });

  it("never names an unnamed column or one the file does not have", () => {
    const columns = [column("", "ignore"), column("Email", "email", 1)];
    expect(mappingParam(columns, { "": "email", Other: "phone" })).toBeUndefined();
  });
});
