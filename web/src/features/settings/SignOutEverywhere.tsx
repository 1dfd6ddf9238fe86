import { useNavigate } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/errors";
import { useAuth } from "../auth/AuthProvider";
import { useLogoutAll } from "./queries";

export const SIGNED_OUT_EVERYWHERE = "Signed out on every device.";

/** Ends every session of the user, this one's included, then goes to the sign-in page. */
export function SignOutEverywhere() {
  const auth = useAuth();
  const navigate = useNavigate();
  const logoutAll = useLogoutAll();
  return (
    <section className="panel" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p className="muted">
        Lost a device, or signed in on a computer that is not yours? End every session at once.
      </p>
      <ConfirmDialog
        trigger="Sign out everywhere"
        title="Sign out everywhere?"
        confirm="Sign out everywhere"
        pending={logoutAll.isPending}
        error={logoutAll.error ? errorMessage(logoutAll.error) : undefined}
        onOpenChange={() => logoutAll.reset()}
        onConfirm={async () => {
          try {
            await logoutAll.mutateAsync();
          } catch {
            return; // shown in the dialog
          }
          // Identity has revoked this browser's session too: the session logout only clears
          // the cookies, and its refusal must not keep the app signed in.
          await auth.signOut({ alreadyRevoked: true, notice: SIGNED_OUT_EVERYWHERE });
          navigate("/login", { replace: true });
        }}
      >
        <p>Every device signed in to AdScale, this one included, is signed out at once.</p>
      </ConfirmDialog>
    </section>
  );
}
