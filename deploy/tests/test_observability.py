"""deploy/observability against the code: every metric an alert rule or a dashboard panel
queries is one the processes export, and the scrape configs reach every process."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import stack  # noqa: E402

OBS = ROOT / "deploy" / "observability"
ALERTS = yaml.safe_load((OBS / "alerts.yml").read_text())
DASHBOARD = json.loads((OBS / "grafana-dashboard.json").read_text())
NAME = re.compile(r"\badscale_[a-z0-9_]+")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def exported_samples() -> set[str]:
    """Sample names of every metric the code defines (every module that declares some)."""
    import adscale_common.metrics  # noqa: F401
    import adscale_platforms.metrics  # noqa: F401
    import audience_sync.metrics  # noqa: F401
    import gateway.metrics  # noqa: F401

    names: set[str] = set()
    for family in REGISTRY.collect():
        for suffix in SUFFIXES.get(family.type, ("",)):
            names.add(family.name + suffix)
    return names


def alert_rules() -> list[dict]:
    return [rule for group in ALERTS["groups"] for rule in group["rules"]]


def test_every_metric_an_alert_rule_uses_is_exported():
    exported = exported_samples()
    used = {name for rule in alert_rules() for name in NAME.findall(rule["expr"])}
    assert used, "the rules query no adscale metric"
    assert used - exported == set()


def test_the_alerts_the_issue_asks_for_exist_with_severity_and_summary():
    rules = {rule["alert"]: rule for rule in alert_rules()}
    wanted = {
        "AdScaleConsumerLagGrowing": "adscale_kafka_consumer_lag_messages",
        "AdScaleOutboxStuck": "adscale_outbox_oldest_pending_age_seconds",
        "AdScaleSyncFailureRate": "adscale_sync_jobs_total",
        "AdScaleWebhookFailureRate": "adscale_webhook_deliveries_total",
        "AdScaleHttp5xxRate": "adscale_http_requests_total",
    }
    for alert, metric in wanted.items():
        assert metric in rules[alert]["expr"], alert
    assert "> 60" in rules["AdScaleOutboxStuck"]["expr"]
    for rule in rules.values():
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


def test_every_dashboard_query_uses_exported_metrics_and_covers_them_all():
    exported = exported_samples()
    exprs = [t["expr"] for panel in DASHBOARD["panels"] for t in panel["targets"]]
    used = {name for expr in exprs for name in NAME.findall(expr)}
    assert used - exported == set()
    families = {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in used}
    defined = {f.name for f in REGISTRY.collect() if f.name.startswith("adscale_")}
    assert defined - families == set(), "a metric no panel shows"


def _targets(config: dict, job: str) -> dict[str, int]:
    (scrape,) = [s for s in config["scrape_configs"] if s["job_name"] == job]
    return {
        entry["labels"]["process"]: int(target.rsplit(":", 1)[1])
        for entry in scrape["static_configs"]
        for target in entry["targets"]
    }


def test_native_scrape_config_reaches_every_api_process_and_worker_of_the_stack():
    config = yaml.safe_load((OBS / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    api = {name: port for name, (_, _, port) in stack.SERVICES.items()}
    assert _targets(config, "adscale-api") == api
    workers = {f"{name}-worker": port for name, port in stack.WORKER_METRICS_PORTS.items()}
    assert _targets(config, "adscale-worker") == workers
    assert _targets(config, "adscale-gateway") == {"gateway": stack.GATEWAY_METRICS_PORT}
    from gateway.settings import Settings

    assert Settings.model_fields["metrics_port"].default == stack.GATEWAY_METRICS_PORT


@pytest.mark.parametrize(
    ("service", "settings_module"),
    [
        ("identity", "identity.settings"),
        ("campaigns", "campaigns.settings"),
        ("audience-sync", "audience_sync.settings"),
        ("billing", "billing.settings"),
    ],
)
def test_each_workers_default_metrics_port_is_the_one_stack_and_scrape_config_use(
    service, settings_module
):
    import importlib

    settings_class = importlib.import_module(settings_module).Settings
    default = settings_class.model_fields["worker_metrics_port"].default
    assert default == stack.WORKER_METRICS_PORTS[service]


def test_k8s_scrape_config_keeps_annotated_adscale_pods():
    config = yaml.safe_load((OBS / "prometheus-k8s.yml").read_text())
    (scrape,) = config["scrape_configs"]
    assert scrape["kubernetes_sd_configs"][0]["role"] == "pod"
    keeps = {
        tuple(r["source_labels"]): r["regex"]
        for r in scrape["relabel_configs"]
        if r.get("action") == "keep"
    }
    assert keeps[("__meta_kubernetes_pod_annotation_prometheus_io_scrape",)] == "true"
    assert keeps[("__meta_kubernetes_pod_label_app_kubernetes_io_part_of",)] == "adscale"


def test_k8s_pods_are_annotated_with_the_port_their_metrics_are_on():
    docs = list(yaml.safe_load_all((ROOT / "deploy/k8s/adscale.yaml").read_text()))
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    expected = {name: port for name, (_, _, port) in stack.SERVICES.items()}
    expected |= {f"{name}-worker": port for name, port in stack.WORKER_METRICS_PORTS.items()}
    expected["gateway"] = stack.GATEWAY_METRICS_PORT
    for name, port in expected.items():
        template = deployments[name]["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations == {"prometheus.io/scrape": "true", "prometheus.io/port": str(port)}
        if name.endswith("-worker"):  # a worker's only port is its metrics port
            ports = template["spec"]["containers"][0]["ports"]
            assert ports == [{"containerPort": port, "name": "metrics"}], name
    config = yaml.safe_load((ROOT / "deploy/k8s/config.yaml").read_text())
    assert config["data"]["ADSCALE_METRICS_HOST"] == "0.0.0.0"  # reachable from Prometheus
