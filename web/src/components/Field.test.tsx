import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Field } from "./Field";

describe("Field", () => {
  it("labels its control and ties the error to it for assistive technology", () => {
    render(
      <Field label="Email" error="Email already registered" hint="Work address">
        {(p) => <input {...p} />}
      </Field>,
    );
    const input = screen.getByLabelText("Email");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(input).toHaveAccessibleDescription("Work address Email already registered");
    expect(screen.getByRole("alert")).toHaveTextContent("Email already registered");
  });

  it("has no error state without an error", () => {
    render(<Field label="Name">{(p) => <input {...p} />}</Field>);
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "false");
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
