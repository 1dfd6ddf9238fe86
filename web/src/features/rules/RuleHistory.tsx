import { useState } from "react";
import { Link } from "react-router";
import { Pagination } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { dateTime } from "../../lib/format";
import { PAGE_SIZE } from "../../lib/pagination";
import { triggerWord, windowText } from "./RunPageFormat";
import { useRuleRuns } from "./runQueries";

interface RuleHistoryProps {
  ruleId: string;
  /** The rule's last real execution (`null`: only dry runs so far, if any). */
  lastExecuted: string | null;
}

/** The rule's activity log: every run, newest first, each linking to its objects. */
export function RuleHistory({ ruleId, lastExecuted }: RuleHistoryProps) {
  const [page, setPage] = useState(1);
  const runs = useRuleRuns(ruleId, page);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">Run history</h2>
      {runs.isPending ? <Loading label="Loading runs…" /> : null}
      {runs.error ? <ErrorState error={runs.error} retry={() => runs.refetch()} /> : null}
      {runs.data && runs.data.total === 0 ? (
        <Empty title="Not executed yet">
          <p>Each run appears here: scheduled, manual, dry runs and undos.</p>
        </Empty>
      ) : null}
      {runs.data && runs.data.total > 0 && lastExecuted === null ? (
        <p className="muted">Not executed yet: dry runs only, nothing was changed.</p>
      ) : null}
      {runs.data && runs.data.items.length > 0 ? (
        <>
          <table>
            <caption className="muted">
              {runs.data.total} {runs.data.total === 1 ? "run" : "runs"}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Trigger</th>
                <th scope="col">Metrics window</th>
                <th scope="col" className="num">
                  Judged
                </th>
                <th scope="col" className="num">
                  Changed
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((run) => (
                <tr key={run.id}>
                  <td>
                    <Link to={`/rule-runs/${run.id}`}>{dateTime(run.started_at)}</Link>
                  </td>
                  <td>{triggerWord(run)}</td>
                  <td>{windowText(run)}</td>
                  <td className="num">{run.campaigns_evaluated}</td>
                  <td className="num">
                    {run.campaigns_affected}
                    {run.dry_run ? <span className="muted"> (would)</span> : null}
                  </td>
                  <td>
                    {run.undone_at ? (
                      <span className="badge undone">undone</span>
                    ) : run.finished_at === null ? (
                      <span className="badge">running</span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pagination page={page} total={runs.data.total} size={PAGE_SIZE} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}
