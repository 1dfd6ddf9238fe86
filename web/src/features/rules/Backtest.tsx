import { zodResolver } from "@hookform/resolvers/zod";
import { lazy, Suspense } from "react";
import { useForm } from "react-hook-form";
import type { components } from "../../api/schema";
import { Field, FormError } from "../../components/Field";
import { Empty, Loading } from "../../components/States";
import { Tile } from "../../components/Tile";
import { count, counted, money, ratio } from "../../lib/format";
import { applyServerError } from "../../lib/forms";
import {
  type BacktestValues,
  backtestPoints,
  backtestSchema,
  DEFAULT_BACKTEST_DAYS,
  daysWithActions,
  defaultBacktestRange,
  MAX_BACKTEST_DAYS,
} from "./BacktestRange";
import { useBacktest } from "./runQueries";

type Result = components["schemas"]["BacktestResult"];

// Recharts stays out of the rule page's chunk until a result is drawn.
const BacktestChart = lazy(() => import("./BacktestChart"));

function Outcome({ result }: { result: Result }) {
  const acted = daysWithActions(result);
  const judged = Math.max(0, ...result.days.map((d) => d.objects_evaluated));
  const range = `${result.start_date} to ${result.end_date}`;
  if (result.actions_total === 0) {
    return (
      <Empty title="The rule would not have acted">
        <p>
          {judged === 0
            ? `No campaign or ad group was in the rule's scope from ${range}.`
            : `From ${range} it judged up to ${counted(judged, "object")} a day and none called for an action.`}{" "}
          Nothing was changed.
        </p>
      </Empty>
    );
  }
  return (
    <>
      <div className="tiles">
        <Tile label="Actions" value={count(result.actions_total)} />
        <Tile label="Spend touched" value={money(result.spend_touched)} />
        <Tile label="ROAS touched" value={ratio(result.roas_touched)} />
        <Tile label="Days with actions" value={`${acted.length} of ${result.days.length}`} />
      </div>
      <Suspense fallback={<Loading label="Loading chart…" />}>
        <BacktestChart
          points={backtestPoints(result.days)}
          title="Actions and spend touched per day"
        />
      </Suspense>
      <table>
        <caption className="muted">
          Days the rule would have acted on ({acted.length}); the other days it left everything as
          it was
        </caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col" className="num">
              Judged
            </th>
            <th scope="col">Actions</th>
            <th scope="col" className="num">
              Spend touched
            </th>
            <th scope="col" className="num">
              ROAS touched
            </th>
          </tr>
        </thead>
        <tbody>
          {acted.map((day) => (
            <tr key={day.date}>
              <th scope="row" className="nowrap">
                {day.date}
              </th>
              <td className="num">{count(day.objects_evaluated)}</td>
              <td>
                <details>
                  <summary>{counted(day.actions.length, "action")}</summary>
                  <ul className="backtest-actions">
                    {day.actions.map((a) => (
                      <li key={`${a.campaign_id}-${a.ad_group_id ?? ""}-${a.action}`}>
                        {a.description}{" "}
                        <span className="muted">
                          (that day: spend {money(a.spend)}, revenue {money(a.revenue)})
                        </span>
                      </li>
                    ))}
                  </ul>
                </details>
              </td>
              <td className="num">{money(day.spend_touched)}</td>
              <td className="num">{ratio(day.roas_touched)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** What the rule would have done over past days, replayed on the stored daily metrics. */
export function Backtest({ ruleId }: { ruleId: string }) {
  const backtest = useBacktest(ruleId);
  const form = useForm<BacktestValues>({
    resolver: zodResolver(backtestSchema),
    defaultValues: defaultBacktestRange(),
  });
  const { errors } = form.formState;
  const submit = form.handleSubmit(async (values) => {
    try {
      await backtest.mutateAsync(values);
    } catch (error) {
      applyServerError(error, form.setError, ["start_date", "end_date"]);
    }
  });
  const result = backtest.data;
  return (
    <section aria-labelledby="backtest-title">
      <h2 id="backtest-title">Backtest</h2>
      <p className="muted">
        Replays the rule day by day over the campaigns' stored daily metrics, from their current
        status and budget, to show what it would have done: up to {MAX_BACKTEST_DAYS} days at a
        time, the last {DEFAULT_BACKTEST_DAYS} to begin with. Nothing is changed on AdScale or on
        the platforms.
      </p>
      <form className="panel" onSubmit={submit} noValidate aria-label="Backtest range">
        <div className="range">
          <Field label="From" error={errors.start_date?.message}>
            {(p) => <input type="date" {...p} {...form.register("start_date")} />}
          </Field>
          <Field label="To" error={errors.end_date?.message}>
            {(p) => <input type="date" {...p} {...form.register("end_date")} />}
          </Field>
          <button type="submit" className="button primary" disabled={backtest.isPending}>
            {backtest.isPending ? "Running backtest…" : "Run backtest"}
          </button>
        </div>
        <FormError message={errors.root?.server?.message} />
      </form>
      <div aria-busy={backtest.isPending}>
        {result ? (
          <section aria-labelledby="backtest-result-title">
            <h3 id="backtest-result-title">
              What the rule would have done, {result.start_date} to {result.end_date}
            </h3>
            <p className="notice" role="status">
              Nothing was changed: this is a replay. {counted(result.actions_total, "action")} over{" "}
              {counted(result.days.length, "day")}.
            </p>
            <Outcome result={result} />
          </section>
        ) : null}
      </div>
    </section>
  );
}
