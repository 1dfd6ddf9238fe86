"""Start, stop and inspect the AdScale processes on one machine (``make up`` / ``make down``).

Reads ``$ADSCALE_HOME/secrets.env`` and ``$ADSCALE_HOME/infra.env`` (written by
``devsecrets.py`` and ``provision.sh``); a variable already set in the
environment always wins. Creates each service's database and role, runs its
Alembic migrations, starts every process in the background with a pid file in
``$ADSCALE_HOME/run`` and a log in ``$ADSCALE_HOME/logs``, and waits until
``GET /api/v1/health`` is green. ``down`` stops exactly the processes whose pid
files it wrote. Everything is idempotent: a running process is left alone.

Standard library only, plus asyncpg for database setup.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("ADSCALE_HOME", ROOT / ".adscale"))
RUN = HOME / "run"
LOGS = HOME / "logs"
VENV_BIN = ROOT / ".venv" / "bin"
GATEWAY_URL = os.environ.get("ADSCALE_GATEWAY_URL", "http://127.0.0.1:8107")

SERVICES = {
    # name: (python module, env prefix, port)
    "identity": ("identity", "IDENTITY_", 8101),
    "campaigns": ("campaigns", "CAMPAIGNS_", 8102),
    "audience-sync": ("audience_sync", "AUDIENCE_SYNC_", 8103),
    "billing": ("billing", "BILLING_", 8104),
}
# Each worker serves Prometheus metrics on its own port (<PREFIX>WORKER_METRICS_PORT).
WORKER_METRICS_PORTS = {"identity": 9101, "campaigns": 9102, "audience-sync": 9103, "billing": 9104}
GATEWAY_PORT = 8107
GATEWAY_METRICS_PORT = 9107  # GATEWAY_METRICS_PORT: the gateway's own metrics (not public)
SANDBOX_PORT = 8110
MAILPIT_SMTP_PORT = 1025  # deploy/provision.sh runs Mailpit on these
MAILPIT_PORT = 8025
# ``make up SCALE=N`` / ADSCALE_SCALE=N: N instances of every API process and worker.
# Instance i (0-based) listens on base port + INSTANCE_PORT_STEP * i (API and metrics ports
# alike) and is named ``<process>.<i+1>`` for i >= 1 (pid and log files per instance).
INSTANCE_PORT_STEP = 100
MAX_SCALE = 9  # ports stay below the sandbox/gateway ranges' neighbours (8101 + 100 * 8)
SCALE_FILE = "stack.scale"  # in RUN: the scale `up` started, so `down`/`status` find them all


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
    return values


def base_env() -> dict[str, str]:
    env: dict[str, str] = {}
    env.update(read_env_file(HOME / "secrets.env"))
    env.update(read_env_file(HOME / "infra.env"))
    env.update(os.environ)  # the environment always wins
    return env


def service_database_url(env: dict[str, str], service: str) -> str:
    module, prefix, _ = SERVICES[service]
    explicit = env.get(f"{prefix}DATABASE_URL")
    if explicit:
        return explicit
    admin = urllib.parse.urlsplit(env["ADSCALE_DATABASE_URL"])
    password = urllib.parse.quote(env[f"{prefix}DB_PASSWORD"], safe="")
    host = admin.hostname or "127.0.0.1"
    port = admin.port or 5432
    # ADSCALE_DB_SUFFIX gives one checkout its own databases on a shared server
    # (two branches with different migration heads side by side).
    suffix = env.get("ADSCALE_DB_SUFFIX", "")
    db = f"adscale_{module}{suffix}"
    return f"postgresql+asyncpg://adscale_{module}:{password}@{host}:{port}/{db}"


def _loopback(url: str) -> bool:
    return urllib.parse.urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")


def stack_env(env: dict[str, str]) -> dict[str, str]:
    """Everything every process needs, derived once."""
    out = dict(env)
    out.setdefault("ADSCALE_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    out.setdefault("ADSCALE_REDIS_URL", "redis://127.0.0.1:6379/0")
    # Each worker instance of a group needs a partition of its topics to get work.
    scale = scale_of(out)
    if int(out.get("ADSCALE_KAFKA_PARTITIONS") or 0) < scale:
        out["ADSCALE_KAFKA_PARTITIONS"] = str(max(3, scale))
    for service, (_, prefix, port) in SERVICES.items():
        out[f"{prefix}DATABASE_URL"] = service_database_url(env, service)
        out.setdefault(f"{prefix}PORT", str(port))
    # PostgreSQL on this machine: no TLS on the loopback. asyncpg's default ("prefer") took
    # the server's TLS, so every round trip went through asyncio's TLS layer for nothing:
    # 93 -> 51 us of client CPU per BEGIN+SELECT+COMMIT, 129 -> 74 us wall (services/
    # identity/README.md). A remote server keeps asyncpg's default.
    if _loopback(out.get("ADSCALE_DATABASE_URL", "")):
        out.setdefault("PGSSLMODE", "disable")
    sandbox = f"http://127.0.0.1:{SANDBOX_PORT}"
    # Platform clients talk to the sandbox in development unless told otherwise.
    defaults = {
        "PLATFORMS_META_GRAPH_URL": f"{sandbox}/meta/graph",
        "PLATFORMS_META_WWW_URL": f"{sandbox}/meta/www",
        "PLATFORMS_GOOGLE_DATAMANAGER_URL": f"{sandbox}/google/datamanager",
        "PLATFORMS_GOOGLE_ADS_URL": f"{sandbox}/google/ads",
        "PLATFORMS_GOOGLE_ACCOUNTS_URL": f"{sandbox}/google/accounts",
        "PLATFORMS_GOOGLE_OAUTH2_URL": f"{sandbox}/google/oauth2",
        "PLATFORMS_TIKTOK_BUSINESS_URL": f"{sandbox}/tiktok/business",
        "PLATFORMS_TIKTOK_AUTH_URL": f"{sandbox}/tiktok/business",
        "PLATFORMS_SNAPCHAT_ADSAPI_URL": f"{sandbox}/snapchat/adsapi",
        "PLATFORMS_SNAPCHAT_ACCOUNTS_URL": f"{sandbox}/snapchat/accounts",
        "SANDBOX_PORT": str(SANDBOX_PORT),
        "SANDBOX_DATA_DIR": str(HOME / "sandbox"),
        "BILLING_STRIPE_API_BASE": env.get("ADSCALE_STRIPE_API_BASE", "http://127.0.0.1:12111"),
        "AUDIENCE_SYNC_WEBHOOKS_ALLOW_LOOPBACK": "true",
    }
    for key, value in defaults.items():
        out.setdefault(key, value)
    out.update(mail_env(out))
    # stripe-mock sends no webhooks and its Checkout page is a dead end: against it, the
    # Checkout Session goes to the app's test checkout page (billing/devcheckout).
    production = out["ADSCALE_ENVIRONMENT"].strip().lower() == "production"
    if "api.stripe.com" not in out["BILLING_STRIPE_API_BASE"] and not production:
        out.setdefault("BILLING_DEV_CHECKOUT", "true")
    return out


def mail_env(env: dict[str, str]) -> dict[str, str]:
    """Development mail: identity sends through the Mailpit provision.sh runs, unless
    IDENTITY_SMTP_HOST names another server (then its own port/TLS settings apply)."""
    out = {
        "ADSCALE_ENVIRONMENT": env.get("ADSCALE_ENVIRONMENT", "development"),
        "ADSCALE_PUBLIC_URL": env.get("ADSCALE_PUBLIC_URL", f"http://localhost:{GATEWAY_PORT}"),
        "ADSCALE_MAILPIT_URL": env.get("ADSCALE_MAILPIT_URL", f"http://127.0.0.1:{MAILPIT_PORT}"),
    }
    if not env.get("IDENTITY_SMTP_HOST"):
        out.update(
            IDENTITY_SMTP_HOST="127.0.0.1",
            IDENTITY_SMTP_PORT=str(MAILPIT_SMTP_PORT),
            IDENTITY_SMTP_STARTTLS="false",
        )
    return out


def scale_of(env: dict[str, str]) -> int:
    """ADSCALE_SCALE (``make up SCALE=N``), else 1."""
    raw = env.get("ADSCALE_SCALE") or "1"
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"ADSCALE_SCALE must be a whole number, not {raw!r}") from None
    if not 1 <= value <= MAX_SCALE:
        raise SystemExit(f"ADSCALE_SCALE must be between 1 and {MAX_SCALE}, not {value}")
    return value


def with_running_scale(env: dict[str, str]) -> dict[str, str]:
    """``env`` with ADSCALE_SCALE defaulting to the scale the running stack was started with
    (``status``, ``restart``)."""
    if not env.get("ADSCALE_SCALE"):
        try:
            env["ADSCALE_SCALE"] = (RUN / SCALE_FILE).read_text().strip()
        except FileNotFoundError:
            pass
    return env


def instance_name(name: str, index: int) -> str:
    return name if index == 0 else f"{name}.{index + 1}"


def instance_port(base: int, index: int) -> int:
    return base + INSTANCE_PORT_STEP * index


def upstream_lists(env: dict[str, str], scale: int) -> dict[str, str]:
    """The gateway's upstream lists (``GATEWAY_<SERVICE>_URLS``): every API instance."""
    out = {}
    for _, (_, prefix, port) in SERVICES.items():
        base = int(env.get(f"{prefix}PORT", str(port)))
        urls = [f"http://127.0.0.1:{instance_port(base, i)}" for i in range(scale)]
        out[f"GATEWAY_{prefix}URLS"] = ",".join(urls)
    return out


def processes(env: dict[str, str], scale: int | None = None) -> list[Proc]:
    scale = scale_of(env) if scale is None else scale
    uvicorn = str(VENV_BIN / "uvicorn")
    python = str(VENV_BIN / "python")
    procs = [
        Proc(
            "sandbox",
            [
                uvicorn,
                "adscale_sandbox.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(SANDBOX_PORT),
                "--no-access-log",
                # as adscale_sandbox.main.SERVER_OPTIONS: long Graph URLs reach the app
                "--http",
                "h11",
                "--h11-max-incomplete-event-size",
                str(16 * 1024 * 1024),
            ],
            port=SANDBOX_PORT,
        )
    ]
    for service, (module, prefix, port) in SERVICES.items():
        api_port = int(env.get(f"{prefix}PORT", str(port)))
        metrics_port = int(env.get(f"{prefix}WORKER_METRICS_PORT", WORKER_METRICS_PORTS[service]))
        for i in range(scale):
            own_port = instance_port(api_port, i)
            procs.append(
                Proc(
                    instance_name(service, i),
                    [
                        uvicorn,
                        f"{module}.main:app",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(own_port),
                        "--no-access-log",
                    ],
                    env={f"{prefix}PORT": str(own_port)},
                    port=own_port,
                )
            )
        for i in range(scale):
            own_metrics = instance_port(metrics_port, i)
            procs.append(
                Proc(
                    instance_name(f"{service}-worker", i),
                    [python, "-m", f"{module}.worker"],
                    env={f"{prefix}WORKER_METRICS_PORT": str(own_metrics)},
                    port=own_metrics,
                )
            )
    procs.append(
        Proc(
            "gateway",
            [
                uvicorn,
                "gateway.main:app",
                "--host",
                "0.0.0.0",
                "--port",
                str(GATEWAY_PORT),
                "--no-access-log",
                "--proxy-headers",
            ],
            env=upstream_lists(env, scale),
            port=GATEWAY_PORT,
        )
    )
    return procs


def spawn_gateway(port: int, overrides: dict[str, str]) -> subprocess.Popen[bytes]:
    """An extra gateway process (same code and upstreams, other settings) for benches and
    fuzzing; the caller terminates it. Returns once its health answers 200."""
    env = {**stack_env(base_env()), **overrides}
    child = subprocess.Popen(  # noqa: S603
        [
            str(VENV_BIN / "uvicorn"),
            "gateway.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    url = f"http://127.0.0.1:{port}/api/v1/health"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return child
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.3)
    child.terminate()
    raise RuntimeError(f"extra gateway on port {port} did not become healthy")


def pid_of(name: str) -> int | None:
    path = RUN / f"{name}.pid"
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        path.unlink(missing_ok=True)
        return None
    except PermissionError:
        return pid
    return pid


def start(proc: Proc, env: dict[str, str]) -> bool:
    if pid_of(proc.name) is not None:
        return False
    RUN.mkdir(parents=True, exist_ok=True)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = open(LOGS / f"{proc.name}.log", "ab")  # noqa: SIM115 - handed to the child
    child = subprocess.Popen(  # noqa: S603
        proc.argv,
        cwd=ROOT,
        env={**env, **proc.env},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    (RUN / f"{proc.name}.pid").write_text(str(child.pid))
    return True


def stop(name: str, timeout: float = 10.0) -> bool:
    pid = pid_of(name)
    if pid is None:
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    (RUN / f"{name}.pid").unlink(missing_ok=True)
    return True


async def _setup_databases(env: dict[str, str]) -> None:
    import asyncpg

    admin = await asyncpg.connect(env["ADSCALE_DATABASE_URL"])
    try:
        for service in SERVICES:
            url = urllib.parse.urlsplit(service_database_url(env, service).replace("+asyncpg", ""))
            role, password, db = (
                url.username,
                urllib.parse.unquote(url.password or ""),
                url.path.lstrip("/"),
            )
            exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            quoted_pw = password.replace("'", "''")
            if exists:
                await admin.execute(f"ALTER ROLE \"{role}\" WITH LOGIN PASSWORD '{quoted_pw}'")
            else:
                await admin.execute(f"CREATE ROLE \"{role}\" WITH LOGIN PASSWORD '{quoted_pw}'")
            # CREATE DATABASE ... OWNER needs membership in the owner role (PostgreSQL 15).
            member = await admin.fetchval("SELECT pg_has_role(current_user, $1, 'MEMBER')", role)
            if not member:
                await admin.execute(f'GRANT "{role}" TO CURRENT_USER')
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", db):
                await admin.execute(f'CREATE DATABASE "{db}" OWNER "{role}"')
                print(f"  database {db} created")
    finally:
        await admin.close()


def migrate(env: dict[str, str]) -> None:
    """Every service's Alembic upgrade, run side by side (separate databases)."""
    children = {
        service: subprocess.Popen(  # noqa: S603
            [
                str(VENV_BIN / "alembic"),
                "-c",
                str(ROOT / "services" / service / "alembic.ini"),
                "upgrade",
                "head",
            ],
            cwd=ROOT / "services" / service,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for service in SERVICES
    }
    failed = []
    for service, child in children.items():
        output, _ = child.communicate()
        if child.returncode != 0:
            print(output, file=sys.stderr)
            failed.append(service)
        else:
            print(f"  {service}: migrated")
    if failed:
        raise SystemExit(f"migrations failed: {', '.join(failed)}")


def health(
    timeout: float = 3.0, url: str = f"{GATEWAY_URL}/api/v1/health"
) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        try:
            return err.code, json.loads(err.read())
        except ValueError:
            return err.code, {}
    except (OSError, ValueError):
        return 0, {}


def ready(
    gateway: str = f"{GATEWAY_URL}/api/v1/health",
    sandbox: str = f"http://127.0.0.1:{SANDBOX_PORT}/health",
) -> tuple[int, dict[str, object]]:
    """The gateway's health (status, body), and once it is green the sandbox's: the gateway
    reports no health of the sandbox, which may still be opening its data file (an old
    layout is carried over before it listens)."""
    status, body = health(url=gateway)
    if status != 200:
        return status, body
    sandbox_status, _ = health(url=sandbox)
    if sandbox_status != 200:
        return sandbox_status, {"sandbox": sandbox_status or "unreachable"}
    return status, body


def cmd_up(args: argparse.Namespace) -> int:
    given = base_env()
    if args.scale is not None:
        given["ADSCALE_SCALE"] = str(args.scale)
    env = stack_env(given)
    from webapp import build_web  # the dashboard the gateway serves (web/dist)

    print("web: built" if build_web() else "web: up to date")
    print("databases:")
    asyncio.run(_setup_databases(env))
    migrate(env)
    scale = scale_of(env)
    env["ADSCALE_SCALE"] = str(scale)
    rescale(env, scale)
    started = [p.name for p in processes(env, scale) if start(p, env)]
    print(f"processes: started {', '.join(started) if started else 'nothing (all running)'}")
    deadline = time.monotonic() + args.timeout
    status, body = 0, {}
    while time.monotonic() < deadline:
        status, body = ready()
        if status == 200:
            break
        for proc in processes(env):
            if pid_of(proc.name) is None:
                print(f"{proc.name} exited; last log lines:", file=sys.stderr)
                tail = (LOGS / f"{proc.name}.log").read_text(errors="replace").splitlines()[-30:]
                print("\n".join(tail), file=sys.stderr)
                return 1
        time.sleep(0.5)
    if status != 200:
        print(
            f"health did not turn green in {args.timeout}s: {status} {json.dumps(body)}",
            file=sys.stderr,
        )
        return 1
    time.sleep(1.0)  # a process that fails at import time is gone by now
    dead = [p.name for p in processes(env) if pid_of(p.name) is None]
    if dead:
        for name in dead:
            tail = (LOGS / f"{name}.log").read_text(errors="replace").splitlines()[-20:]
            print(f"{name} exited; last log lines:\n" + "\n".join(tail), file=sys.stderr)
        return 1
    print("AdScale is up:")
    print(f"  API         {GATEWAY_URL}/api/v1")
    print(f"  Swagger UI  {GATEWAY_URL}/docs")
    print(f"  health      {GATEWAY_URL}/api/v1/health")
    print(f"  sandbox     http://127.0.0.1:{SANDBOX_PORT}")
    if env["IDENTITY_SMTP_HOST"] == "127.0.0.1":
        print(f"  mail        {env['ADSCALE_MAILPIT_URL']} (Mailpit: every mail sent)")
    print(f"  logs        {LOGS}")
    return 0


def rescale(env: dict[str, str], scale: int) -> None:
    """Record the scale; when it changed, stop the instances beyond it and the gateway
    (restarted with the new upstream lists)."""
    RUN.mkdir(parents=True, exist_ok=True)
    path = RUN / SCALE_FILE
    previous = path.read_text().strip() if path.exists() else ""
    if previous and previous != str(scale):
        wanted = {p.name for p in processes(env, scale)}
        extra = [p.name for p in processes(env, MAX_SCALE) if p.name not in wanted]
        stopped = [n for n in extra if stop(n)]
        if stop("gateway"):
            stopped.append("gateway")
        print(f"scale {previous} -> {scale}: stopped {', '.join(stopped) or 'nothing'}")
    path.write_text(str(scale))


def cmd_down(_: argparse.Namespace) -> int:
    env = stack_env(base_env()) if (HOME / "secrets.env").exists() else {}
    # Every instance any scale could have started (stop() skips those without a pid file).
    names = (
        [p.name for p in processes(env, MAX_SCALE)] if env else [p.stem for p in RUN.glob("*.pid")]
    )
    stopped = [n for n in reversed(names) if stop(n)]
    (RUN / SCALE_FILE).unlink(missing_ok=True)
    print(f"stopped: {', '.join(stopped) if stopped else 'nothing was running'}")
    return 0


def cmd_status(_: argparse.Namespace) -> int:
    env = with_running_scale(stack_env(base_env()))
    print(f"scale: {scale_of(env)} instance(s) of every API process and worker")
    for proc in processes(env):
        pid = pid_of(proc.name)
        state = f"running pid {pid}" if pid else "stopped"
        where = (
            f"metrics :{proc.port}/metrics"
            if proc.name.endswith("-worker")
            else (f"port {proc.port}" if proc.port else "")
        )
        if proc.name == "gateway":
            where += f", metrics :{env.get('GATEWAY_METRICS_PORT', GATEWAY_METRICS_PORT)}/metrics"
        print(f"{proc.name:24} {state:20} {where}")
    status, body = health()
    print(f"gateway health: {status or 'unreachable'} {json.dumps(body.get('services', {}))}")
    rotation = gateway_rotation(int(env.get("GATEWAY_METRICS_PORT", GATEWAY_METRICS_PORT)))
    if rotation:
        print(f"gateway rotation: {rotation}")
    return 0


def gateway_rotation(metrics_port: int) -> str:
    """The instances of each service in the gateway's rotation, e.g. ``campaigns 1/2
    (127.0.0.1:8202 ejected)``, read from its metrics port; empty when it does not answer."""
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{metrics_port}/metrics", timeout=2
        ) as response:
            text = response.read().decode()
    except OSError:
        return ""
    from prometheus_client.parser import text_string_to_metric_families  # the venv's

    instances: dict[str, dict[str, bool]] = {}
    for family in text_string_to_metric_families(text):
        if family.name == "adscale_gateway_upstream_in_rotation":
            for sample in family.samples:
                states = instances.setdefault(sample.labels["upstream"], {})
                states[sample.labels["instance"]] = sample.value == 1
    parts = []
    for service, states in sorted(instances.items()):
        out = sorted(i for i, up in states.items() if not up)
        part = f"{service} {len(states) - len(out)}/{len(states)}"
        parts.append(part + (f" ({', '.join(out)} ejected)" if out else ""))
    return ", ".join(parts)


def cmd_env(_: argparse.Namespace) -> int:
    env = stack_env(base_env())
    for key in sorted(env):
        if key.startswith(
            (
                "ADSCALE_",
                "IDENTITY_",
                "CAMPAIGNS_",
                "AUDIENCE_SYNC_",
                "BILLING_",
                "GATEWAY_",
                "PLATFORMS_",
                "SANDBOX_",
            )
        ):
            print(f"{key}={env[key]}")
    return 0


def cmd_restart(args: argparse.Namespace) -> int:
    """Restart named processes after a code change: ``restart identity identity-worker``."""
    env = with_running_scale(stack_env(base_env()))
    known = {p.name: p for p in processes(env)}
    migrated = False
    for name in args.names:
        if name in SERVICES and not migrated:
            migrate(env)  # a code change may bring a new revision
            migrated = True
        if name not in known:
            print(f"unknown process {name!r}; known: {', '.join(known)}", file=sys.stderr)
            return 2
        stop(name)
        start(known[name], env)
        print(f"restarted {name}")
    return 0


def cmd_migrate(_: argparse.Namespace) -> int:
    env = stack_env(base_env())
    asyncio.run(_setup_databases(env))
    migrate(env)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up")
    up.add_argument("--timeout", type=float, default=90.0)
    up.add_argument("--scale", type=int, help="instances of every API process and worker")
    up.set_defaults(func=cmd_up)
    sub.add_parser("down").set_defaults(func=cmd_down)
    sub.add_parser("status").set_defaults(func=cmd_status)
    sub.add_parser("env").set_defaults(func=cmd_env)
    sub.add_parser("migrate").set_defaults(func=cmd_migrate)
    restart = sub.add_parser("restart")
    restart.add_argument("names", nargs="+")
    restart.set_defaults(func=cmd_restart)
    args = parser.parse_args()
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
