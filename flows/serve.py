"""`ladder serve`: the ingestion and publish flows as deployments served from this process (flow.serve).

For teams without a work pool: one long-running process registers two deployments on the Prefect server
(PREFECT_API_URL) and runs what the server schedules: `ladder-ingest/serve` (on the cron schedule given,
or on demand) and `ladder-publish/serve` (on demand; it pauses for approval in the UI). With a work pool,
deploy `prefect.yaml` instead (`prefect deploy --all`).
"""

from __future__ import annotations

from pathlib import Path

from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from pydantic import ValidationError

import flows.ingest
import flows.publish
from pipeline.errors import InputError

DEPLOYMENT_NAME = "serve"


def check_cron(cron: str) -> str:
    """The cron expression, or an `InputError` saying what a valid one looks like."""
    try:
        CronSchedule(cron=cron)
    except ValidationError:
        raise InputError(
            f"--cron: not a cron expression: {cron!r} (e.g. '0 6 * * 1-5' for 06:00 on weekdays)"
        ) from None
    return cron


def deployments(raw_dir: Path, out_dir: Path, cron: str | None = None) -> list[RunnerDeployment]:
    """The two deployments `ladder serve` runs; folders are made absolute, so runs do not depend on a cwd."""
    raw, out = Path(raw_dir).absolute().as_posix(), Path(out_dir).absolute().as_posix()
    # By entrypoint: the flow objects wrap plain functions (see flows/ingest.py), whose own names are not flows.
    ingest = RunnerDeployment.from_entrypoint(
        f"{Path(flows.ingest.__file__).as_posix()}:ingest_flow",
        name=DEPLOYMENT_NAME,
        cron=check_cron(cron) if cron else None,
        parameters={"raw_dir": raw, "out_dir": out},
        description=f"Ingest {raw} into {out}" + (f" on the schedule {cron}" if cron else " on demand"),
    )
    publish = RunnerDeployment.from_entrypoint(
        f"{Path(flows.publish.__file__).as_posix()}:publish_flow",
        name=DEPLOYMENT_NAME,
        parameters={"normalized_dir": out},
        description=f"Publish the candidate in {out} as a release, after approval in the UI",
    )
    return [ingest, publish]


def serve(raw_dir: Path, out_dir: Path, cron: str | None = None) -> None:
    """Register the deployments and run their flow runs until interrupted."""
    from prefect import serve as prefect_serve

    prefect_serve(*deployments(raw_dir, out_dir, cron))
