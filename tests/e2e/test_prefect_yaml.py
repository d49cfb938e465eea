"""prefect.yaml: every deployment names a flow of this repository, with parameters the flow accepts."""

from __future__ import annotations

from pathlib import Path

import yaml
from prefect.client.schemas.schedules import CronSchedule
from prefect.flows import load_flow_from_entrypoint

ROOT = Path(__file__).resolve().parents[2]


def test_deployments_load_their_flows_with_valid_parameters_and_schedules() -> None:
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert spec["prefect-version"] == "3.8.8"
    found = {}
    for deployment in spec["deployments"]:
        path, name = deployment["entrypoint"].split(":")
        flow = load_flow_from_entrypoint(f"{ROOT / path}:{name}")
        flow.validate_parameters(deployment["parameters"])  # raises on an unknown or ill-typed parameter
        for schedule in deployment.get("schedules", []):
            CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
        found[deployment["name"]] = (flow.name, sorted(deployment["parameters"]), len(deployment.get("schedules", [])))
    assert found == {
        "ingest-weekdays": ("ladder-ingest", ["out_dir", "raw_dir"], 1),
        "publish": ("ladder-publish", ["normalized_dir"], 0),
    }
