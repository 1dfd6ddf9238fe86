import { Link } from "react-router";
import { Pagination } from "../../components/Pagination";
import { SearchBox, useListSearch } from "../../components/SearchBox";
import { Empty, ErrorState, Loading, NoMatch } from "../../components/States";
import { consentPair, count, counted, dateTime } from "../../lib/format";
import { type Profile, useSegmentProfiles } from "./queries";

/** A person's first email or phone, then "+N more" for their further ones (muted). */
function FirstOf({ first, more = [] }: { first: string | undefined; more?: string[] }) {
  return (
    <>
      {first ?? "—"}
      {more.length > 0 ? <span className="muted"> +{count(more.length)} more</span> : null}
    </>
  );
}

function fullName(p: Profile): string {
  return [p.fields.first_name, p.fields.last_name].filter(Boolean).join(" ") || "—";
}

/** The Privacy page's "Find a person", for this external id (never an email or phone in a URL). */
function lookUpUrl(externalId: string): string {
  return `/privacy?${new URLSearchParams({ external_id: externalId })}`;
}

/**
 * A segment's people, most recently updated first, a page at a time, with a search for one
 * person. The search stays in the component, not the URL: it may be an email or a phone.
 */
export function SegmentPeople({ segmentId }: { segmentId: string }) {
  const { page, onPage, search, onSearch } = useListSearch();
  const people = useSegmentProfiles(segmentId, page, search);
  return (
    <section aria-labelledby="segment-people-title">
      <h2 id="segment-people-title">People</h2>
      {/* Hidden only when there is nothing to search: no search and nobody in the segment. */}
      {search || people.data?.total !== 0 ? (
        <SearchBox
          label="Search people by id, email or phone"
          hint="The start of an external id (exact case), or a whole email or phone number"
          value={search}
          onSearch={onSearch}
        />
      ) : null}
      {people.isPending ? <Loading label="Loading people…" /> : null}
      {people.error ? <ErrorState error={people.error} retry={() => people.refetch()} /> : null}
      {people.data && people.data.profiles.length === 0 && !search ? (
        <Empty title="No people yet">
          <p>Import a CSV file above to add the segment's customers.</p>
        </Empty>
      ) : null}
      {people.data && people.data.profiles.length === 0 && search ? (
        <NoMatch thing="person" search={search} onClear={() => onSearch("")} />
      ) : null}
      {people.data && people.data.profiles.length > 0 ? (
        <>
          <table>
            <caption className="muted">
              {counted(people.data.total, "person", "people")}
              {search ? ` matching “${search}”` : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">External id</th>
                <th scope="col">Email</th>
                <th scope="col">Phone</th>
                <th scope="col">Name</th>
                <th scope="col">Country</th>
                <th scope="col">Consent (user data / personalization)</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {people.data.profiles.map((p) => (
                <tr key={p.external_id}>
                  <td>
                    <Link to={lookUpUrl(p.external_id)}>{p.external_id}</Link>
                  </td>
                  <td>
                    <FirstOf first={p.fields.email} more={p.extra_emails} />
                  </td>
                  <td>
                    <FirstOf first={p.fields.phone} more={p.extra_phones} />
                  </td>
                  <td>{fullName(p)}</td>
                  <td>{p.fields.country ?? "—"}</td>
                  <td>{consentPair(p.consent)}</td>
                  <td>{dateTime(p.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination
            page={page}
            total={people.data.total}
            size={people.data.page_size}
            onPage={onPage}
          />
        </>
      ) : null}
    </section>
  );
}
