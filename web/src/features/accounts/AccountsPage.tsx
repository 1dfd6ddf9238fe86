import { UrlPagination, useUrlPage } from "../../components/Pagination";
import { Empty, ErrorState, Loading } from "../../components/States";
import { AccountRow } from "./AccountRow";
import { ConnectForm } from "./ConnectForm";
import { useAccounts } from "./queries";

export default function AccountsPage() {
  const page = useUrlPage();
  const accounts = useAccounts(page);
  return (
    <>
      <h1>Ad accounts</h1>
      <ConnectForm />
      {accounts.isPending ? <Loading label="Loading ad accounts…" /> : null}
      {accounts.error ? (
        <ErrorState error={accounts.error} retry={() => accounts.refetch()} />
      ) : null}
      {accounts.data && accounts.data.items.length === 0 ? (
        <Empty title="No ad accounts yet">
          <p>Connect your Meta or Google ad account above to create campaigns.</p>
        </Empty>
      ) : null}
      {accounts.data && accounts.data.items.length > 0 ? (
        <>
          <table>
            <caption className="muted">{accounts.data.total} ad accounts</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Platform</th>
                <th scope="col">Account id</th>
                <th scope="col">Status</th>
                <th scope="col">Time zone</th>
                <th scope="col">Connected</th>
                <th scope="col">
                  <span className="muted">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {accounts.data.items.map((account) => (
                <AccountRow key={account.id} account={account} />
              ))}
            </tbody>
          </table>
          <UrlPagination total={accounts.data.total} />
        </>
      ) : null}
    </>
  );
}
