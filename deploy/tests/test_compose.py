"""docker-compose.yml cannot run here (no Docker engine), so this keeps it true to the
native setup: the same processes, ports, databases, upstreams and environment."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import devsecrets  # noqa: E402
import stack  # noqa: E402

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
FAKE_ENV = {
    **{k: "x" for k in devsecrets.GENERATORS},
    "ADSCALE_DATABASE_URL": "postgresql://adscale_admin:x@127.0.0.1:5432/postgres",
}
NATIVE_ENV = stack.stack_env(FAKE_ENV)
NATIVE = {p.name: p for p in stack.processes(NATIVE_ENV)}
INFRA = {"postgres", "redis", "kafka", "stripe-mock", "mailpit"}


def env_of(name: str) -> dict[str, str]:
    return {k: str(v) for k, v in (SERVICES[name].get("environment") or {}).items()}


def test_every_native_process_has_a_compose_service_and_nothing_more():
    assert set(SERVICES) - INFRA == set(NATIVE)


def test_infrastructure_images():
    assert SERVICES["postgres"]["image"] == "postgres:15"
    assert SERVICES["redis"]["image"].startswith("redis:7")
    kafka_version = re.search(
        r"KAFKA_VERSION=\"\$\{ADSCALE_KAFKA_VERSION:-([0-9.]+)\}\"",
        (ROOT / "deploy/provision.sh").read_text(),
    )
    assert kafka_version and SERVICES["kafka"]["image"] == f"apache/kafka:{kafka_version.group(1)}"
    assert SERVICES["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


@pytest.mark.parametrize("name", sorted(stack.SERVICES))
def test_service_database_port_and_build(name):
    module, prefix, port = stack.SERVICES[name]
    env = env_of(name)
    assert SERVICES[name]["build"]["args"]["SERVICE"] == name
    assert env[f"{prefix}PORT"] == str(port)
    db_url = env[f"{prefix}DATABASE_URL"]
    assert db_url.startswith(f"postgresql+asyncpg://adscale_{module}:")
    assert db_url.endswith(f"@postgres:5432/adscale_{module}")
    assert f"localhost:{port}/health" in " ".join(SERVICES[name]["healthcheck"]["test"])
    worker = env_of(f"{name}-worker")
    assert worker["ROLE"] == "worker"
    assert worker[f"{prefix}DATABASE_URL"] == db_url
    assert SERVICES[f"{name}-worker"]["depends_on"] == {name: {"condition": "service_healthy"}}
    for infra in ("postgres", "kafka", "redis"):
        assert SERVICES[name]["depends_on"][infra] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", sorted(set(NATIVE) - {"sandbox"}))
def test_shared_environment_and_secrets(name):
    env = env_of(name)
    assert env["ADSCALE_KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert env["ADSCALE_REDIS_URL"] == "redis://redis:6379/0"
    assert "ADSCALE_INTERNAL_TOKEN_KEY" in env
    # Every generated secret reaches the containers through the same file make writes.
    assert SERVICES[name]["env_file"] == [".adscale/secrets.env"]


@pytest.mark.parametrize(
    "name", ["campaigns", "campaigns-worker", "audience-sync", "audience-sync-worker"]
)
def test_platform_clients_point_at_the_sandbox_for_the_same_hosts(name):
    native = {k for k in NATIVE_ENV if k.startswith("PLATFORMS_") and k.endswith("_URL")}
    compose = {k for k in env_of(name) if k.startswith("PLATFORMS_")}
    assert compose == native
    for key in compose:
        native_path = NATIVE_ENV[key].split(":8110", 1)[1]
        assert env_of(name)[key].endswith(":8110" + native_path), key


def test_gateway_routes_to_every_service_on_its_port():
    env = env_of("gateway")
    assert SERVICES["gateway"]["ports"] == [f"{stack.GATEWAY_PORT}:{stack.GATEWAY_PORT}"]
    for name, (_, _, port) in stack.SERVICES.items():
        key = "GATEWAY_" + name.upper().replace("-", "_") + "_URL"
        assert env[key] == f"http://{name}:{port}"
        assert SERVICES["gateway"]["depends_on"][name] == {"condition": "service_healthy"}


def test_billing_talks_to_stripe_mock_and_sandbox_is_published():
    assert env_of("billing")["BILLING_STRIPE_API_BASE"] == "http://stripe-mock:12111"
    assert SERVICES["sandbox"]["ports"] == [f"{stack.SANDBOX_PORT}:{stack.SANDBOX_PORT}"]


def test_dockerfile_entrypoint_knows_every_port():
    script = (ROOT / "deploy/docker/entrypoint.sh").read_text()
    for name, (_, _, port) in stack.SERVICES.items():
        assert f"{name}) port={port}" in script
    assert f"gateway) port={stack.GATEWAY_PORT}" in script
    assert f"sandbox) port={stack.SANDBOX_PORT}" in script


def test_init_script_creates_each_service_role_and_database():
    script = (ROOT / "deploy/docker/init-db.sh").read_text()
    modules = " ".join(m for m, _, _ in stack.SERVICES.values())
    assert f"for svc in {modules}; do" in script


def test_export_files_are_shared_between_api_and_worker():
    # The worker writes export files that the API streams: one volume, one path.
    for name in ("audience-sync", "audience-sync-worker"):
        assert env_of(name)["AUDIENCE_SYNC_EXPORT_DIR"] == "/data/exports"
        assert "exports:/data/exports" in SERVICES[name]["volumes"]
    assert "exports" in COMPOSE["volumes"]


@pytest.mark.parametrize("name", ["identity", "identity-worker"])
def test_identity_mails_through_mailpit_like_the_native_stack(name):
    env = env_of(name)
    assert env["ADSCALE_ENVIRONMENT"] == NATIVE_ENV["ADSCALE_ENVIRONMENT"] == "development"
    assert env["ADSCALE_PUBLIC_URL"] == NATIVE_ENV["ADSCALE_PUBLIC_URL"]
    assert env["IDENTITY_SMTP_HOST"] == "mailpit"
    for key in ("IDENTITY_SMTP_PORT", "IDENTITY_SMTP_STARTTLS"):
        assert env[key] == NATIVE_ENV[key], key


def test_mailpit_is_the_pinned_release_with_its_web_ui_published():
    pinned = re.search(r'MAILPIT_VERSION="(v[0-9.]+)"', (ROOT / "deploy/provision.sh").read_text())
    assert pinned and SERVICES["mailpit"]["image"] == f"axllent/mailpit:{pinned.group(1)}"
    assert SERVICES["mailpit"]["ports"] == [f"{stack.MAILPIT_PORT}:{stack.MAILPIT_PORT}"]
    assert SERVICES["identity"]["depends_on"]["mailpit"] == {"condition": "service_healthy"}


def test_api_processes_and_workers_scale_with_adscale_scale():
    """`SCALE=N` means the same under compose: replicas of every API process and worker
    (the gateway and the sandbox stay single), topics with enough partitions."""
    for service in stack.SERVICES:
        for name in (service, f"{service}-worker"):
            assert SERVICES[name]["deploy"] == {"replicas": "${ADSCALE_SCALE:-1}"}, name
            assert env_of(name)["ADSCALE_KAFKA_PARTITIONS"] == "${ADSCALE_KAFKA_PARTITIONS:-3}"
    for single in ("gateway", "sandbox"):
        assert "deploy" not in SERVICES[single]


def test_native_scale_gives_each_instance_its_own_ports_and_the_gateway_every_url():
    env = {**NATIVE_ENV, "ADSCALE_SCALE": "2"}
    procs = {p.name: p for p in stack.processes(env)}
    for service, (_, prefix, port) in stack.SERVICES.items():
        assert procs[service].port == port
        assert procs[f"{service}.2"].port == port + 100
        assert procs[f"{service}.2"].env[f"{prefix}PORT"] == str(port + 100)
        metrics = stack.WORKER_METRICS_PORTS[service]
        assert procs[f"{service}-worker.2"].env[f"{prefix}WORKER_METRICS_PORT"] == str(
            metrics + 100
        )
        urls = procs["gateway"].env[f"GATEWAY_{prefix}URLS"].split(",")
        assert urls == [f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 100}"]
    ports = [p.port for p in procs.values()]
    assert len(ports) == len(set(ports))
    assert int(stack.stack_env({**FAKE_ENV, "ADSCALE_SCALE": "5"})["ADSCALE_KAFKA_PARTITIONS"]) == 5


@pytest.mark.parametrize("bad", ["0", "10", "two"])
def test_a_scale_out_of_range_is_refused(bad):
    with pytest.raises(SystemExit, match="ADSCALE_SCALE"):
        stack.processes({**NATIVE_ENV, "ADSCALE_SCALE": bad})
