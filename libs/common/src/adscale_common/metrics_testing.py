"""Reading a ``/metrics`` exposition in tests, with prometheus-client's own parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample_values(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition keyed by (sample name, labels)."""
    values: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            values[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return values


def family_names(exposition: str) -> set[str]:
    """The metric family names an exposition declares (counters without ``_total``)."""
    return {family.name for family in text_string_to_metric_families(exposition)}


def metric_value(exposition: str, name: str, **labels: str) -> float:
    """The sum of the samples named ``name`` whose labels include ``labels`` (0 if none)."""
    wanted = set(labels.items())
    return sum(
        value
        for (sample, sample_labels), value in sample_values(exposition).items()
        if sample == name and wanted <= sample_labels
    )
