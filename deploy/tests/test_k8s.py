"""The Kubernetes manifests run the same processes as `make up`, on the same ports."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import stack  # noqa: E402

DOCS = list(yaml.safe_load_all((ROOT / "deploy/k8s/adscale.yaml").read_text()))
CONFIG = yaml.safe_load((ROOT / "deploy/k8s/config.yaml").read_text())
BY_KIND: dict[str, dict[str, dict]] = {}
for doc in DOCS:
    BY_KIND.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc


def _container(name: str) -> dict:
    return BY_KIND["Deployment"][name]["spec"]["template"]["spec"]["containers"][0]


def test_every_native_process_is_a_deployment():
    names = {
        p.name
        for p in stack.processes(
            stack.stack_env(
                {
                    "ADSCALE_DATABASE_URL": "postgresql://a:b@h/p",
                    **{f"{pfx}DB_PASSWORD": "x" for _, pfx, _ in stack.SERVICES.values()},
                }
            )
        )
    }
    assert set(BY_KIND["Deployment"]) == names


def test_api_deployments_expose_their_port_with_probes_and_a_service():
    ports = {name: port for name, (_, _, port) in stack.SERVICES.items()}
    ports["gateway"] = stack.GATEWAY_PORT
    ports["sandbox"] = stack.SANDBOX_PORT
    for name, port in ports.items():
        container = _container(name)
        assert container["ports"] == [{"containerPort": port}]
        assert container["readinessProbe"]["httpGet"]["port"] == port
        assert BY_KIND["Service"][name]["spec"]["ports"][0]["port"] == port
    assert BY_KIND["Service"]["gateway"]["spec"]["type"] == "LoadBalancer"


def test_services_get_their_database_and_migrations_run_first():
    for name, (module, prefix, _) in stack.SERVICES.items():
        for deployment in (name, f"{name}-worker"):
            env = {e["name"]: e for e in _container(deployment)["env"]}
            ref = env[f"{prefix}DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            assert ref == {"name": "adscale-database-urls", "key": module}
        job = BY_KIND["Job"][f"{name}-migrate"]["spec"]["template"]["spec"]["containers"][0]
        assert {"name": "ROLE", "value": "migrate"} in job["env"]
        assert _container(f"{name}-worker")["env"][-1] == {"name": "ROLE", "value": "worker"}


def test_gateway_upstreams_match_service_ports():
    for name, (_, _, port) in stack.SERVICES.items():
        key = "GATEWAY_" + name.upper().replace("-", "_") + "_URL"
        assert CONFIG["data"][key] == f"http://{name}:{port}"


def test_identity_takes_its_smtp_settings_from_a_secret_in_production():
    for name in ("identity", "identity-worker"):
        sources = _container(name)["envFrom"]
        assert {"secretRef": {"name": "adscale-smtp"}} in sources
    assert CONFIG["data"]["ADSCALE_ENVIRONMENT"] == "production"
    assert CONFIG["data"]["ADSCALE_PUBLIC_URL"].startswith("https://")
    # No SMTP setting in the plain ConfigMap: host, user and password live in the Secret.
    assert not [key for key in CONFIG["data"] if key.startswith("IDENTITY_SMTP")]


def test_api_processes_and_workers_run_replicas_within_the_topic_partitions():
    """Scale-out: every API process and worker runs several pods (the Service balances the
    API pods; worker pods share a consumer group and the job leases), and topics get at
    least as many partitions as a worker Deployment has pods."""
    partitions = int(CONFIG["data"]["ADSCALE_KAFKA_PARTITIONS"])
    for service in stack.SERVICES:
        for name in (service, f"{service}-worker"):
            replicas = BY_KIND["Deployment"][name]["spec"]["replicas"]
            assert 2 <= replicas <= partitions, name
