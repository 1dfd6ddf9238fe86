import { useState } from "react";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { ErrorState, Loading } from "../../components/States";
import { errorMessage } from "../../lib/errors";
import { dateTime } from "../../lib/format";
import { PLATFORM_NAMES } from "./platforms";
import { type Platform, useConnectPlatform, useDisconnectPlatform, usePlatforms } from "./queries";

/** The four platforms: connect through the platform's OAuth consent page, or disconnect. */
export function Connections() {
  const platforms = usePlatforms();
  const connect = useConnectPlatform();
  const disconnect = useDisconnectPlatform();
  const [acting, setActing] = useState<Platform | null>(null);
  if (platforms.isPending) return <Loading label="Loading platform connections…" />;
  if (platforms.error) {
    return <ErrorState error={platforms.error} retry={() => platforms.refetch()} />;
  }
  return (
    <section className="panel" aria-labelledby="connections-title">
      <h2 id="connections-title">Platform connections</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Platform</th>
            <th scope="col">Status</th>
            <th scope="col">Ad accounts</th>
            <th scope="col">
              <span className="muted">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {platforms.data.platforms.map((p) => (
            <tr key={p.platform}>
              <th scope="row">{PLATFORM_NAMES[p.platform]}</th>
              <td>
                {p.connected ? (
                  <span className={`badge ${p.status === "expired" ? "paused" : "active"}`}>
                    {p.status ?? "connected"}
                  </span>
                ) : (
                  <span className="badge disconnected">not connected</span>
                )}
                {p.expires_at ? (
                  <span className="muted"> until {dateTime(p.expires_at)}</span>
                ) : null}
              </td>
              <td>{(p.ad_accounts ?? []).map((a) => a.name).join(", ") || "—"}</td>
              <td className="actions">
                {!p.connected || p.status === "expired" ? (
                  <button
                    type="button"
                    className="button primary"
                    disabled={connect.isPending}
                    aria-label={`Connect ${PLATFORM_NAMES[p.platform]}`}
                    onClick={() => {
                      setActing(p.platform);
                      connect.mutate(p.platform, {
                        // The platform's consent page, which sends the user back to /oauth/...
                        onSuccess: (started) => window.location.assign(started.authorization_url),
                      });
                    }}
                  >
                    {connect.isPending && acting === p.platform ? "Opening…" : "Connect"}
                  </button>
                ) : null}
                {p.connected ? (
                  <ConfirmDialog
                    trigger={`Disconnect ${PLATFORM_NAMES[p.platform]}`}
                    title={`Disconnect ${PLATFORM_NAMES[p.platform]}?`}
                    confirm="Disconnect"
                    pending={disconnect.isPending}
                    error={disconnect.error ? errorMessage(disconnect.error) : undefined}
                    onConfirm={(close) =>
                      disconnect.mutate(p.platform, { onSuccess: () => close() })
                    }
                  >
                    <p>
                      Its audiences are paused and their pending syncs cancelled until you connect
                      again. Nothing is deleted on the platform.
                    </p>
                  </ConfirmDialog>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <FormError message={connect.error ? errorMessage(connect.error) : undefined} />
    </section>
  );
}
