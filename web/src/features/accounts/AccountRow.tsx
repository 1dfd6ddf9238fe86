import { ConfirmDialog } from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/errors";
import { dateTime } from "../../lib/format";
import { AccountEditDialog } from "./AccountEditDialog";
import { type Account, accountLabel } from "./accountForm";
import { DisconnectedReason } from "./DisconnectedReason";
import { useDisconnectAccount } from "./queries";

/** The status badge and, for a disconnected account, why; for one without a token, what it lacks. */
export function AccountStatus({ account }: { account: Account }) {
  return (
    <div className="status-cell">
      <span className={`badge ${account.status}`}>{account.status}</span>
      {account.status === "disconnected" ? (
        <DisconnectedReason reason={account.disconnected_reason} />
      ) : null}
      {account.status === "active" && !account.is_connected ? (
        <span className="hint">No access token: metrics can't be fetched.</span>
      ) : null}
    </div>
  );
}

export function AccountRow({ account }: { account: Account }) {
  const disconnect = useDisconnectAccount();
  const label = accountLabel(account);
  return (
    <tr>
      <td>{account.account_name ?? "—"}</td>
      <td>{account.platform}</td>
      <td>{account.account_id_external}</td>
      <td>
        <AccountStatus account={account} />
      </td>
      <td>{account.time_zone}</td>
      <td>{dateTime(account.connected_at)}</td>
      <td>
        <div className="row-actions">
          <AccountEditDialog account={account} />
          <ConfirmDialog
            trigger="Disconnect"
            triggerLabel={`Disconnect ${label}`}
            title={`Disconnect ${label}?`}
            confirm="Disconnect"
            pending={disconnect.isPending}
            error={disconnect.error ? errorMessage(disconnect.error) : undefined}
            onConfirm={(close) => disconnect.mutate(account.id, { onSuccess: () => close() })}
          >
            <p>
              The account is removed from AdScale together with its campaigns, their ad groups,
              creatives and daily metrics, and AdScale forgets its access token. Nothing changes on
              the platform.
            </p>
            {account.status === "disconnected" ? (
              <p>
                To keep them and fetch metrics again, cancel and reconnect the account with a new
                access token instead.
              </p>
            ) : null}
          </ConfirmDialog>
        </div>
      </td>
    </tr>
  );
}
