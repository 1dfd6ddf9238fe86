import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Link, useNavigate } from "react-router";
import { z } from "zod";
import { Field, FormError } from "../../components/Field";
import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { SearchBox, useUrlSearch } from "../../components/SearchBox";
import { Empty, ErrorState, Loading, NoMatch } from "../../components/States";
import { count, counted, dateTime } from "../../lib/format";
import { applyServerError } from "../../lib/forms";
import { useCreateSegment, useSegments } from "./queries";

const schema = z.object({
  name: z.string().trim().min(1, "Name the segment.").max(255),
  description: z.string().trim().max(1000),
});

function CreateSegment() {
  const create = useCreateSegment();
  const navigate = useNavigate();
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { name: "", description: "" },
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async ({ name, description }) => {
    try {
      const segment = await create.mutateAsync({ name, description: description || null });
      navigate(`/segments/${segment.id}`);
    } catch (error) {
      applyServerError(error, form.setError, ["name", "description"]);
    }
  });
  return (
    <form className="panel" onSubmit={submit} noValidate aria-labelledby="new-segment-title">
      <h2 id="new-segment-title">New segment</h2>
      <div className="grid-2">
        <Field label="Segment name" error={errors.name?.message}>
          {(p) => <input {...p} {...form.register("name")} />}
        </Field>
        <Field label="Description" error={errors.description?.message}>
          {(p) => <input {...p} {...form.register("description")} />}
        </Field>
      </div>
      <FormError message={errors.root?.server?.message} />
      <button type="submit" className="button primary" disabled={create.isPending}>
        {create.isPending ? "Creating…" : "Create segment"}
      </button>
    </form>
  );
}

export default function SegmentsPage() {
  const page = useUrlPage();
  const [search, setSearch] = useUrlSearch();
  const segments = useSegments(page, search);
  return (
    <>
      <h1>Segments</h1>
      <p className="muted">
        Customer lists from your CDP or a CSV file, pushed to ad platforms as{" "}
        <Link to="/audiences">audiences</Link>.
      </p>
      <CreateSegment />
      {/* Hidden only when there is nothing to search: no search and no segment at all. */}
      {search || segments.data?.total !== 0 ? (
        <SearchBox label="Search segments by name" value={search} onSearch={setSearch} />
      ) : null}
      {segments.isPending ? <Loading label="Loading segments…" /> : null}
      {segments.error ? (
        <ErrorState error={segments.error} retry={() => segments.refetch()} />
      ) : null}
      {segments.data && segments.data.segments.length === 0 && !search ? (
        <Empty title="No segments yet">
          <p>Create one above, then import its customers from a CSV file.</p>
        </Empty>
      ) : null}
      {segments.data && segments.data.segments.length === 0 && search ? (
        <NoMatch thing="segment" search={search} onClear={() => setSearch("")} />
      ) : null}
      {segments.data && segments.data.segments.length > 0 ? (
        <>
          <table>
            <caption className="muted">
              {counted(segments.data.total, "segment")}
              {search ? ` matching “${search}”` : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Profiles
                </th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {segments.data.segments.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/segments/${s.id}`}>{s.name}</Link>
                  </td>
                  <td className="num">{count(s.profile_count)}</td>
                  <td>{dateTime(s.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <UrlPagination total={segments.data.total} />
        </>
      ) : null}
    </>
  );
}
