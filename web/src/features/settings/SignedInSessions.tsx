import { useEffect, useState } from "react";
import type { components } from "../../api/schema";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { Pagination } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { counted, dateTime } from "../../lib/format";
import { PAGE_SIZE, pageCount } from "../../lib/pagination";
import { deviceName } from "./device";
import { useEndSession, useSessions } from "./queries";

type Session = components["schemas"]["SessionRead"];

/** One session's row: its device (the full User-Agent as a tooltip), when it signed in and was
 * last active, and, unless it is this browser's, a way to sign it out. */
function SessionRow({ session, onEnded }: { session: Session; onEnded: (name: string) => void }) {
  const end = useEndSession();
  const name = deviceName(session.user_agent);
  return (
    <tr>
      <td>
        <span title={session.user_agent ?? undefined}>{name}</span>
        {session.current ? (
          <>
            {" "}
            <span className="badge active">This device</span>
          </>
        ) : null}
      </td>
      <td>{dateTime(session.signed_in_at)}</td>
      <td>{dateTime(session.last_active_at)}</td>
      <td>
        {/* This browser signs out with the header's Sign out. */}
        {session.current ? null : (
          <ConfirmDialog
            trigger="Sign out"
            triggerLabel={`Sign out ${name}`}
            title={`Sign out ${name}?`}
            confirm="Sign out"
            pending={end.isPending}
            error={end.error ? errorMessage(end.error) : undefined}
            onOpenChange={() => end.reset()}
            onConfirm={async (close) => {
              try {
                // Settles once the list is read again, this row gone from it.
                await end.mutateAsync(session.id);
              } catch {
                return; // shown in the dialog
              }
              close();
              onEnded(name);
            }}
          >
            <p>
              Signed in {dateTime(session.signed_in_at)}, last active{" "}
              {dateTime(session.last_active_at)}. Its access ends at once: it has to sign in again.
            </p>
          </ConfirmDialog>
        )}
      </td>
    </tr>
  );
}

/** Every open sign-in session of the user (browsers, the CLI), like a "Your devices" list. */
export function SignedInSessions() {
  const [page, setPage] = useState(1);
  const sessions = useSessions(page);
  const [ended, setEnded] = useState<string | null>(null);
  const total = sessions.data?.total;
  // Signing out the last session of the last page: back to the page that is now the last.
  useEffect(() => {
    if (total !== undefined && page > pageCount(total)) setPage(pageCount(total));
  }, [page, total]);
  return (
    <section className="panel" aria-labelledby="signed-in-title">
      <h2 id="signed-in-title">Where you're signed in</h2>
      <p className="muted">
        Each sign-in on a browser or the CLI is a session. Sign out one you don't recognise; its
        access ends at once.
      </p>
      {ended ? (
        <p role="status" className="notice">
          {ended} is signed out.
        </p>
      ) : null}
      {sessions.isPending ? <Loading label="Loading sessions…" /> : null}
      {sessions.error ? (
        <ErrorState error={sessions.error} retry={() => sessions.refetch()} />
      ) : null}
      {sessions.data && sessions.data.items.length === 0 ? (
        <Empty title="No open sessions" />
      ) : null}
      {sessions.data && sessions.data.items.length > 0 ? (
        <>
          <table>
            <caption className="muted">
              {counted(sessions.data.total, "session")}, the one active last first
            </caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span className="muted">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.items.map((session) => (
                <SessionRow key={session.id} session={session} onEnded={setEnded} />
              ))}
            </tbody>
          </table>
          <Pagination page={page} total={sessions.data.total} size={PAGE_SIZE} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}
