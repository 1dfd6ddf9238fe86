import { useEffect, useRef } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { ErrorState, Loading } from "../../components/States";
import { consentResult, isPlatform, PLATFORM_NAMES } from "./platforms";
import { useFinishConnect } from "./queries";

/** Where the platform's consent page sends the user: hands code and state to audience-sync. */
export default function OAuthCallbackPage() {
  const platform = useParams().platform;
  const [search] = useSearchParams();
  const finish = useFinishConnect();
  const navigate = useNavigate();
  const started = useRef(false);
  const { code, state, error } = consentResult(search);
  const usable = isPlatform(platform) && code && state;

  useEffect(() => {
    // Once: the state is single use, and React may run effects twice in development.
    if (!usable || started.current) return;
    started.current = true;
    finish.mutate(
      { platform, code, state },
      {
        onSuccess: () => navigate("/audiences", { replace: true, state: { connected: platform } }),
      },
    );
  }, [usable, platform, code, state, finish, navigate]);

  const name = isPlatform(platform) ? PLATFORM_NAMES[platform] : "the platform";
  return (
    <>
      <h1>Connecting {name}</h1>
      {!usable ? (
        <ErrorState
          error={
            new Error(error ? `${name} said: ${error}` : `${name} sent no authorization code.`)
          }
        />
      ) : null}
      {usable && finish.isPending ? <Loading label={`Finishing the ${name} connection…`} /> : null}
      {finish.error ? <ErrorState error={finish.error} /> : null}
      <p>
        <Link to="/audiences">Back to audiences</Link>
      </p>
    </>
  );
}
