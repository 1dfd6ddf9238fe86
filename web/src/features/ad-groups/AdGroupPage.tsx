import { useState } from "react";
import { Link, useParams } from "react-router";
import { NotFound } from "../../components/NotFound";
import { Pagination } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { money } from "../../lib/format";
import { PAGE_SIZE } from "../../lib/pagination";
import { CreativeForm } from "./CreativeForm";
import { useAdGroup, useCreateCreative, useCreatives, useParentCampaign } from "./queries";
import { creativeBody, emptyCreative, limitsFor } from "./targeting";

function Creatives({ adGroupId }: { adGroupId: string }) {
  const [page, setPage] = useState(1);
  const creatives = useCreatives(adGroupId, page);
  if (creatives.isPending) return <Loading label="Loading creatives…" />;
  if (creatives.error)
    return <ErrorState error={creatives.error} retry={() => creatives.refetch()} />;
  if (creatives.data.items.length === 0) return <Empty title="No creatives yet" />;
  return (
    <>
      <table>
        <thead>
          <tr>
            <th scope="col">Headline</th>
            <th scope="col">Description</th>
            <th scope="col">Call to action</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="muted">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {creatives.data.items.map((c) => (
            <tr key={c.id}>
              <td>{c.headline}</td>
              <td>{c.description}</td>
              <td>{c.call_to_action ?? "—"}</td>
              <td>
                <span className={`badge ${c.status}`}>{c.status}</span>
              </td>
              <td>
                <Link to={`/creatives/${c.id}/edit`} aria-label={`Edit ${c.headline}`}>
                  Edit
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pagination page={page} total={creatives.data.total} size={PAGE_SIZE} onPage={setPage} />
    </>
  );
}

export default function AdGroupPage() {
  const id = useParams().adGroupId ?? "";
  const group = useAdGroup(id);
  const campaign = useParentCampaign(group.data?.campaign_id);
  const create = useCreateCreative();
  if (group.isPending) return <Loading label="Loading ad group…" />;
  if (group.error) {
    return (
      <NotFound
        error={group.error}
        title="Ad group not found"
        back={{ to: "/campaigns", label: "Back to campaigns" }}
        fallback={<ErrorState error={group.error} retry={() => group.refetch()} />}
      />
    );
  }
  const g = group.data;
  const platform = campaign.data?.platform === "meta" ? "meta" : "google";
  const t = g.targeting;
  return (
    <>
      <p>
        <Link to={`/campaigns/${g.campaign_id}`}>← {campaign.data?.name ?? "Campaign"}</Link>
      </p>
      <div className="page-head">
        <h1>{g.name}</h1>
        <Link className="button secondary" to={`/ad-groups/${id}/edit`}>
          Edit ad group
        </Link>
      </div>
      <dl className="panel grid-2">
        <div>
          <dt className="muted">Status</dt>
          <dd>
            <span className={`badge ${g.status}`}>{g.status}</span>
          </dd>
        </div>
        <div>
          <dt className="muted">Bid</dt>
          <dd>
            {g.bid_strategy} {g.bid_amount ? money(g.bid_amount) : ""}
          </dd>
        </div>
        <div>
          <dt className="muted">Ages</dt>
          <dd>{t.age ?? "any"}</dd>
        </div>
        <div>
          <dt className="muted">Interests</dt>
          <dd>{t.interests?.join(", ") || "any"}</dd>
        </div>
        <div>
          <dt className="muted">Countries</dt>
          <dd>{t.locations?.join(", ") || "any"}</dd>
        </div>
      </dl>
      <h2>Creatives</h2>
      <Creatives adGroupId={id} />
      {campaign.isPending ? (
        <Loading label="Loading campaign…" />
      ) : (
        <CreativeForm
          platform={platform}
          limits={limitsFor(platform)}
          title="New creative"
          submitLabel="Create creative"
          initial={emptyCreative}
          resetOnSave
          onSubmit={(values) => create.mutateAsync({ ad_group_id: id, ...creativeBody(values) })}
        />
      )}
    </>
  );
}
