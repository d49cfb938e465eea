"""The publish flow: diff the candidate against the latest release, get approval, write the release.

Approval: `approve=True` publishes straight away (`approver` and `note` are recorded). Otherwise, when the
flow runs against a Prefect server (PREFECT_API_URL is set), it pauses: it prints the flow run's UI link,
and the UI shows the diff summary, a link to the report artifact and a form (approve, reviewer, note);
the reviewer and note are recorded in the release. Without a server nobody could answer the pause, so the
flow stops with a `ReleaseError` instead.

Run it with `python -m flows.publish [NORMALIZED] [--approve]`; `ladder publish` does the same without
Prefect.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from uuid import UUID

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import MissingContextError
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL

from pipeline.errors import ReleaseError
from pipeline.release.diff import summary_lines
from pipeline.release.publish import (
    Approval,
    Release,
    ReleasePlan,
    diff_against_latest,
    load_candidate,
    plan_release,
    publish_release,
)
from pipeline.release.report import artifact_markdown

APPROVAL_TIMEOUT_SECONDS = 24 * 3600
"""How long a paused publish waits for a reviewer before the run fails."""


class PublishApproval(RunInput):
    """The form shown in the Prefect UI when a publish waits for approval."""

    approve: bool = False
    reviewer: str = ""
    note: str = ""


def running_against_server() -> bool:
    """True when Prefect talks to a server someone can open (PREFECT_API_URL set), not a temporary one."""
    return bool(PREFECT_API_URL.value())


REPORT_ARTIFACT_KEY = "ladder-publish-report"
"""Key of the report (against the latest release) the approval form links to."""


def artifact_url(artifact_id: UUID | None) -> str | None:
    """The UI page of an artifact, when the run is on a server with a UI."""
    ui = PREFECT_UI_URL.value()
    return f"{ui}/artifacts/artifact/{artifact_id}" if ui and artifact_id else None


def approval_description(plan: ReleasePlan, report_url: str | None = None) -> str:
    lines = [f"**Publish release {plan.version}?**", "", *summary_lines(plan.diff)]
    if report_url:
        lines += ["", f"Review the [normalization report]({report_url}) before approving."]
    lines += [
        "",
        "Set `approve` to true to publish; leave it false to stop without publishing. "
        "`reviewer` and `note` are recorded in the release.",
    ]
    return "\n".join(lines)


def waiting_message(plan: ReleasePlan, run_url: str | None, timeout: int = APPROVAL_TIMEOUT_SECONDS) -> str:
    """What a paused publish prints: where to approve, and what happens if nobody does."""
    where = f"open {run_url} and" if run_url else "open this flow run in the Prefect UI and"
    return (
        f"release {plan.version} waits for approval: {where} press Resume (approve, reviewer, note); "
        f"without an answer within {timeout // 3600} h the run fails and nothing is published"
    )


def ask_approval(plan: ReleasePlan, report_url: str | None = None) -> PublishApproval:
    if not running_against_server():
        raise ReleaseError(
            f"publishing {plan.version} needs approval: run with approve=True, or against a Prefect server "
            "(PREFECT_API_URL) to approve in the UI"
        )
    message = waiting_message(plan, flow_run.ui_url)
    print(message, file=sys.stderr, flush=True)
    with contextlib.suppress(MissingContextError):  # outside a flow run (a test) there is no run log
        get_run_logger().info(message)
    return pause_flow_run(
        wait_for_input=PublishApproval.with_initial_data(
            description=approval_description(plan, report_url), approve=False
        ),
        timeout=APPROVAL_TIMEOUT_SECONDS,
    )


@flow(name="ladder-publish", log_prints=False)
def publish_flow(
    normalized_dir: Path = Path("normalized"),
    version: str | None = None,
    approve: bool = False,
    created: str | None = None,
    approver: str = "",
    note: str = "",
) -> Release:
    ladder = load_candidate(normalized_dir)
    plan = plan_release(ladder, normalized_dir, version)
    create_markdown_artifact(
        key="ladder-publish-diff", markdown="\n".join(summary_lines(plan.diff)), description=f"Diff for {plan.version}"
    )
    report_id = create_markdown_artifact(
        key=REPORT_ARTIFACT_KEY,
        markdown=artifact_markdown(ladder, diff_against_latest(ladder, normalized_dir)),
        description=f"Normalization report for {plan.version}",
    )
    if not approve:
        answer = ask_approval(plan, artifact_url(report_id))
        if not answer.approve:
            who = f" by {answer.reviewer}" if answer.reviewer else ""
            raise ReleaseError(f"release {plan.version} rejected{who}: {answer.note or 'no reason given'}")
        approver, note = answer.reviewer, answer.note
    approval = Approval(approver=approver, note=note) if approver or note else None
    return publish_release(ladder, normalized_dir, plan, created=created, approval=approval)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    release = publish_flow(Path(args[0]) if args else Path("normalized"), approve="--approve" in sys.argv)
    print(f"published {release.version} to {release.path}")
