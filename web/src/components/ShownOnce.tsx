import type { ReactNode } from "react";
import { CopyButton } from "./CopyButton";

/** A secret the API answers only once (an API key, a signing secret): copy it, then Done. */
export function ShownOnce(props: {
  title: string;
  value: string;
  copyLabel: string;
  testId: string;
  onDone: () => void;
  children: ReactNode;
}) {
  const titleId = `${props.testId}-title`;
  return (
    <section className="panel notice" aria-labelledby={titleId}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
      <p className="secret" data-testid={props.testId}>
        {props.value}
      </p>
      <div className="actions">
        <CopyButton value={props.value} label={props.copyLabel} />
        <button type="button" className="button secondary" onClick={props.onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
