"""`adscale login`, `logout [--everywhere]`, `change-password`, `whoami`, `sessions`."""

from __future__ import annotations

import typer

from adscale.cli.app import OutputOpt, state, sub
from adscale.cli.crud import Noun, add_delete, add_list
from adscale.cli.output import Output, emit, out
from adscale.errors import ApiError
from adscale.pagination import OFFSET

SESSIONS = Noun(
    "/auth/sessions",
    OFFSET,
    ("id", "current", "user_agent", "signed_in_at", "last_active_at", "expires_at"),
)


def sessions_app() -> typer.Typer:
    app = sub("sessions", "Where you are signed in: each login (browser or CLI) is a session.")
    add_list(
        app, SESSIONS, "List your open sessions, the one active last first (current: this one)."
    )
    add_delete(app, SESSIONS, "Sign a session out: its tokens stop working at once.", name="revoke")
    return app


def register(app: typer.Typer) -> None:
    app.add_typer(sessions_app())

    @app.command()
    def login(
        ctx: typer.Context,
        email: str = typer.Option(..., "--email", "-e", prompt=True, envvar="ADSCALE_EMAIL"),
        password: str = typer.Option(
            ..., "--password", prompt=True, hide_input=True, envvar="ADSCALE_PASSWORD"
        ),
    ) -> None:
        """Log in with email and password; the tokens go to the OS keyring (else a 0600 file)."""
        st = state(ctx)
        client = st.client()
        tokens = client.login(email, password)
        where = st.store.save(
            st.profile,
            base_url=st.base_url_option,
            email=email,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
        )
        out.print(f"logged in as {email} (profile {st.profile}; tokens in {where})")

    @app.command()
    def logout(
        ctx: typer.Context,
        everywhere: bool = typer.Option(
            False, "--everywhere", help="also end every other session of the user (any device)"
        ),
    ) -> None:
        """Forget the profile's tokens."""
        st = state(ctx)
        if everywhere:
            st.client().auth.logout_all()
        had = st.store.forget(st.profile)
        ended = " and every session ended" if everywhere else ""
        out.print(f"logged out{ended} (profile {st.profile})" if had else "no stored credentials")

    @app.command("change-password")
    def change_password(
        ctx: typer.Context,
        current: str = typer.Option(..., "--current", prompt="Current password", hide_input=True),
        new: str = typer.Option(
            ...,
            "--new",
            prompt="New password",
            hide_input=True,
            confirmation_prompt=True,
            envvar="ADSCALE_NEW_PASSWORD",
        ),
    ) -> None:
        """Change your password. Every session ends (other devices must log in again); this
        profile keeps going with the new session."""
        st = state(ctx)
        client = st.client()
        tokens = client.change_password(current, new)
        st.store.save(
            st.profile, access_token=tokens.access_token, refresh_token=tokens.refresh_token
        )
        out.print(f"password changed; every other session ended (profile {st.profile})")

    @app.command()
    def whoami(ctx: typer.Context, output: OutputOpt = Output.table) -> None:
        """The user behind the credentials (an API key shows its plan and usage)."""
        client = state(ctx).client()
        try:
            me = client.call("GET", "/auth/me")
        except ApiError as exc:
            if exc.status_code != 401 or client.tokens is not None:
                raise
            me = {"auth": "api_key", **client.call("GET", "/usage")}
        emit(me, output)
