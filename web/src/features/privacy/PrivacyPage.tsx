import { zodResolver } from "@hookform/resolvers/zod";
import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { Link, useNavigate, useSearchParams } from "react-router";
import { z } from "zod";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Field, FormError } from "../../components/Field";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { ApiError, errorMessage } from "../../lib/errors";
import { consentPair, count, dateTime } from "../../lib/format";
import { applyServerError } from "../../lib/forms";
import {
  type IdentifierKind,
  identifierProblem,
  isKind,
  KINDS,
  type PersonKey,
  personKey,
  shortHash,
} from "./identifier";
import { type Person, useErase, useErasures, useLookUpPerson } from "./queries";

const schema = z.object({ kind: z.string(), value: z.string() }).superRefine((v, ctx) => {
  const problem = isKind(v.kind) ? identifierProblem(v.kind, v.value) : "Choose a kind.";
  if (problem) ctx.addIssue({ code: "custom", path: ["value"], message: problem });
});
type Values = z.infer<typeof schema>;

function download(person: Person) {
  const blob = new Blob([JSON.stringify(person, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = `subject-access-${person.requested.sha256.slice(0, 12)}.json`;
  link.click();
  URL.revokeObjectURL(url);
}

function PersonReport({ person }: { person: Person }) {
  return (
    <section className="panel" aria-label="What AdScale holds">
      <h2>
        {count(person.profiles.length)} profile{person.profiles.length === 1 ? "" : "s"} held
      </h2>
      <p>
        Sent to: {person.platforms.length ? person.platforms.join(", ") : "no platform yet"}.{" "}
        {person.suppressed ? "Some of these identifiers are on the suppression list." : null}
      </p>
      <table>
        <caption className="muted">Profiles per segment</caption>
        <thead>
          <tr>
            <th scope="col">Segment</th>
            <th scope="col">External id</th>
            <th scope="col">Fields</th>
            <th scope="col">Consent (user data / personalization)</th>
            <th scope="col">Audiences</th>
          </tr>
        </thead>
        <tbody>
          {person.profiles.map((p) => (
            <tr key={`${p.segment_id}:${p.external_id}`}>
              <td>
                <Link to={`/segments/${p.segment_id}`}>{p.segment_name}</Link>
              </td>
              <td>{p.external_id}</td>
              <td>{Object.keys(p.fields).join(", ")}</td>
              <td>{consentPair(p.consent)}</td>
              <td>
                {p.audiences.length
                  ? p.audiences.map((a) => `${a.audience_name} (${a.platform})`).join(", ")
                  : "none"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="button secondary" onClick={() => download(person)}>
        Download as JSON
      </button>
    </section>
  );
}

function EraseButton({ target, held }: { target: PersonKey; held: boolean }) {
  const erase = useErase();
  const navigate = useNavigate();
  const [reason, setReason] = useState("");
  return (
    <ConfirmDialog
      trigger={held ? "Erase this person…" : "Erase anyway…"}
      title="Erase this person everywhere?"
      confirm="Erase"
      pending={erase.isPending}
      error={erase.error ? errorMessage(erase.error) : undefined}
      onConfirm={(close) =>
        erase.mutate(
          { ...target, reason: reason.trim() || null },
          {
            onSuccess: (accepted) => {
              close();
              navigate(`/privacy/erasures/${accepted.erasure_id}`);
            },
          },
        )
      }
    >
      <p>
        Their profiles in every segment, their membership of every platform audience (Meta, Google,
        TikTok, Snapchat remove them), and every export file holding them are deleted. Their hashed
        identifiers go on the suppression list, so a later import leaves them out. This can't be
        undone.
      </p>
      <label className="field">
        <span>Reason (kept on the receipt)</span>
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
      </label>
    </ConfirmDialog>
  );
}

/**
 * One person looked up by an identifier. With `externalId` (a link's `?external_id=`, e.g. from
 * a segment's people), the form starts on it and looks it up once; emails and phones are only
 * ever typed, never put in a URL.
 */
function FindPerson({ externalId }: { externalId: string }) {
  const [asked, setAsked] = useState<PersonKey | null>(null);
  const [notHeld, setNotHeld] = useState(false);
  const lookUp = useLookUpPerson();
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: externalId
      ? { kind: "external_id", value: externalId }
      : { kind: "email", value: "" },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (v) => {
    const key = personKey(v.kind as IdentifierKind, v.value);
    setAsked(null);
    setNotHeld(false);
    try {
      await lookUp.mutateAsync(key);
      setAsked(key);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        setAsked(key);
        setNotHeld(true);
        return;
      }
      applyServerError(error, form.setError, ["value"], {
        email: "value",
        phone: "value",
        external_id: "value",
      });
    }
  });
  const linked = useRef(false);
  useEffect(() => {
    // The linked person, once (not again on each render, nor on Strict Mode's second effect).
    if (!externalId || linked.current) return;
    linked.current = true;
    submit();
  }, [externalId, submit]);
  const person = asked && !notHeld ? lookUp.data : undefined;
  return (
    <>
      <form className="panel" onSubmit={submit} noValidate aria-labelledby="find-title">
        <h2 id="find-title">Find a person</h2>
        <p className="muted">
          For a subject access or deletion request: everything AdScale holds about one person,
          across all your segments.
        </p>
        <div className="grid-2">
          <Field label="Identifier" error={errors.kind?.message}>
            {(p) => (
              <select {...p} {...form.register("kind")}>
                {KINDS.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Value" error={errors.value?.message}>
            {(p) => <input {...p} {...form.register("value")} autoComplete="off" />}
          </Field>
        </div>
        <FormError message={errors.root?.server?.message} />
        <button type="submit" className="button primary" disabled={lookUp.isPending}>
          {lookUp.isPending ? "Looking…" : "Look up"}
        </button>
      </form>
      {asked && person ? (
        <>
          <PersonReport person={person} />
          <EraseButton target={asked} held />
        </>
      ) : null}
      {asked && notHeld ? (
        <Empty title="AdScale holds nothing about this person">
          <p>
            Erasing anyway puts the identifier on the suppression list, so a later import or upsert
            leaves them out.
          </p>
          <EraseButton target={asked} held={false} />
        </Empty>
      ) : null}
    </>
  );
}

function Receipts() {
  const page = useUrlPage();
  const list = useErasures(page);
  if (list.isPending) return <Loading label="Loading erasures…" />;
  if (list.error) return <ErrorState error={list.error} retry={() => list.refetch()} />;
  if (list.data.erasures.length === 0) return <Empty title="No erasure yet" />;
  return (
    <>
      <table>
        <caption className="muted">{count(list.data.total)} erasures, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Requested</th>
            <th scope="col">Status</th>
            <th scope="col">Profiles</th>
            <th scope="col">Audiences</th>
            <th scope="col">Asked</th>
            <th scope="col">Done</th>
          </tr>
        </thead>
        <tbody>
          {list.data.erasures.map((e) => (
            <tr key={e.erasure_id}>
              <td>
                <Link to={`/privacy/erasures/${e.erasure_id}`} title={e.requested.sha256}>
                  {e.requested.kind} {shortHash(e.requested.sha256)}
                </Link>
              </td>
              <td>{e.status}</td>
              <td>{count(e.deleted.profiles)}</td>
              <td>{count(e.audiences.length)}</td>
              <td>{dateTime(e.requested_at)}</td>
              <td>{e.completed_at ? dateTime(e.completed_at) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <UrlPagination total={list.data.total} />
    </>
  );
}

export default function PrivacyPage() {
  const [params] = useSearchParams();
  const externalId = params.get("external_id")?.trim() ?? "";
  return (
    <>
      <h1>Privacy</h1>
      {/* Another linked person (Back, Forward) starts the form afresh. */}
      <FindPerson key={externalId} externalId={externalId} />
      <section aria-labelledby="receipts-title">
        <h2 id="receipts-title">Erasure receipts</h2>
        <Receipts />
      </section>
    </>
  );
}
