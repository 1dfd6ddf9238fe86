import { reasonOf } from "./accountForm";

/** Why an account is disconnected: the message, then the platform's error codes if any. */
export function DisconnectedReason({ reason }: { reason: string | null }) {
  const { message, detail } = reasonOf(reason);
  return (
    <div className="reason">
      <span className="reason-message">{message}</span>
      {detail ? <span className="hint reason-detail">Platform error: {detail}</span> : null}
    </div>
  );
}
