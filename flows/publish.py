"""The publish flow: diff the candidate against the latest release, get approval, write the release.

Approval: `approve=True` publishes straight away. Otherwise, when the flow runs against a Prefect server
(PREFECT_API_URL is set), it pauses and the UI shows the diff summary with a form to approve or reject;
without a server nobody could answer the pause, so the flow stops with a `ReleaseError` instead.

Run it with `python -m flows.publish [NORMALIZED] [--approve]`; `ladder publish` does the same without
Prefect.
"""

from __future__ import annotations

import sys
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.settings import PREFECT_API_URL

from pipeline.errors import ReleaseError
from pipeline.release.diff import summary_lines
from pipeline.release.publish import Release, ReleasePlan, load_candidate, plan_release, publish_release

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


def approval_description(plan: ReleasePlan) -> str:
    lines = [f"**Publish release {plan.version}?**", "", *summary_lines(plan.diff)]
    lines += ["", "Set `approve` to true to publish; leave it false to stop without publishing."]
    return "\n".join(lines)


def ask_approval(plan: ReleasePlan) -> PublishApproval:
    if not running_against_server():
        raise ReleaseError(
            f"publishing {plan.version} needs approval: run with approve=True, or against a Prefect server "
            "(PREFECT_API_URL) to approve in the UI"
        )
    return pause_flow_run(
        wait_for_input=PublishApproval.with_initial_data(description=approval_description(plan), approve=False),
        timeout=APPROVAL_TIMEOUT_SECONDS,
    )


@flow(name="ladder-publish", log_prints=False)
def publish_flow(
    normalized_dir: Path = Path("normalized"),
    version: str | None = None,
    approve: bool = False,
    created: str | None = None,
) -> Release:
    ladder = load_candidate(normalized_dir)
    plan = plan_release(ladder, normalized_dir, version)
    create_markdown_artifact(
        key="ladder-publish-diff", markdown="\n".join(summary_lines(plan.diff)), description=f"Diff for {plan.version}"
    )
    if not approve:
        answer = ask_approval(plan)
        if not answer.approve:
            who = f" by {answer.reviewer}" if answer.reviewer else ""
            raise ReleaseError(f"release {plan.version} rejected{who}: {answer.note or 'no reason given'}")
    return publish_release(ladder, normalized_dir, plan, created=created)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    release = publish_flow(Path(args[0]) if args else Path("normalized"), approve="--approve" in sys.argv)
    print(f"published {release.version} to {release.path}")
