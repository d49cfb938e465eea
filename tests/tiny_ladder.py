"""A tiny hand-made `Ladder` for the diff, report and publish tests (no parsers involved).

Two tracks, three roles, two competencies, three behaviors (one holding hostile text), one repaired
document and one rejected file. `with_log()` fills the normalization log with one item of each kind.
"""

from __future__ import annotations

from pipeline.models import (
    Behavior,
    ClusterMember,
    Competency,
    CompetencyAlias,
    CompetencyDescription,
    CompetencyMapping,
    DecisionOutcome,
    Ladder,
    LevelAssignment,
    MergeCluster,
    NearMiss,
    Normalization,
    Occurrence,
    Progression,
    Rejection,
    Repair,
    Role,
    SourceDocument,
    Split,
    Track,
)

HOSTILE = "<script>alert(1)</script> Flags churn risk early"

DOC_SCALE = "d0c5ca1e00000001"
DOC_HIGH = "d0c4190000000002"


def occurrence(
    role: Role, competency: Competency, text: str, ref: str, *, part: int = 0, file: str | None = None
) -> Occurrence:
    return Occurrence(
        doc_id=role.doc_id,
        source_file=file or ("scale.txt" if role.doc_id == DOC_SCALE else "high.md"),
        source_ref=ref,
        track=role.track,
        role=role.title,
        role_id=role.id,
        path=role.path,
        level=role.level,
        competency=competency.name,
        competency_id=competency.id,
        text=text,
        part=part,
    )


def make_ladder() -> Ladder:
    roles = [
        Role(
            id="role_scale1",
            track_id="track_scale",
            track="Scale CSM",
            title="CSM I",
            path="ic",
            level="IC1",
            order=0,
            defined=True,
            summary="Handles a pooled book of accounts.",
            years_min=0,
            years_max=2,
            doc_id=DOC_SCALE,
            source_ref="L3",
        ),
        Role(
            id="role_scale2",
            track_id="track_scale",
            track="Scale CSM",
            title="CSM II",
            path="ic",
            level="IC2",
            order=1,
            defined=True,
            summary="Owns a named book.",
            years_min=2,
            years_max=4,
            doc_id=DOC_SCALE,
            source_ref="L20",
        ),
        Role(
            id="role_high1",
            track_id="track_high",
            track="High Touch CSM",
            title="CSM",
            path="ic",
            level="IC2",
            order=0,
            defined=True,
            doc_id=DOC_HIGH,
            source_ref="L2",
        ),
    ]
    ownership = Competency(
        id="comp_owner",
        name="Ownership",
        aliases=[
            CompetencyAlias(track="Scale CSM", name="Ownership", how="exact"),
            CompetencyAlias(track="High Touch CSM", name="Ownership & impact", how="alias_table"),
        ],
        descriptions=[
            CompetencyDescription(
                role_id="role_scale1", text="Owns tasks.", applicable=True, doc_id=DOC_SCALE, source_ref="L5"
            ),
        ],
    )
    insight = Competency(
        id="comp_insight",
        name="Customer insight",
        aliases=[CompetencyAlias(track="Scale CSM", name="Customer insight", how="exact")],
    )
    behaviors = [
        Behavior(
            id="beh_renewals",
            text="Owns renewals end to end",
            competency_ids=["comp_owner"],
            occurrences=[
                occurrence(roles[0], ownership, "Owns renewals end to end", "L6"),
                occurrence(roles[1], ownership, "Owns renewals end to end", "L22"),
                occurrence(roles[2], ownership, "Owns renewals end-to-end", "L4"),
            ],
        ),
        Behavior(
            id="beh_data",
            text="Finds basic data insights",
            competency_ids=["comp_insight"],
            occurrences=[occurrence(roles[0], insight, "Finds basic data insights", "L8")],
        ),
        Behavior(
            id="beh_hostile",
            text=HOSTILE,
            competency_ids=["comp_insight"],
            occurrences=[occurrence(roles[1], insight, HOSTILE, "L24")],
        ),
    ]
    return Ladder(
        documents=[
            SourceDocument(
                id=DOC_SCALE,
                file="scale.txt",
                kind="career_page",
                kind_confidence=0.9,
                title="Scale CSM ladder",
                encoding="utf-8",
                repairs=[
                    Repair(file="scale.txt", ref="L7", rule="mojibake_apostrophe", before="groupās", after="group's")
                ],
            ),
            SourceDocument(
                id=DOC_HIGH,
                file="high.md",
                kind="career_page",
                kind_confidence=0.8,
                title="High Touch CSM",
                encoding="utf-8",
            ),
        ],
        tracks=[
            Track(id="track_high", name="High Touch CSM", doc_ids=[DOC_HIGH], role_ids=["role_high1"]),
            Track(id="track_scale", name="Scale CSM", doc_ids=[DOC_SCALE], role_ids=["role_scale1", "role_scale2"]),
        ],
        roles=roles,
        competencies=[insight, ownership],
        behaviors=behaviors,
        rejected=[Rejection(file="broken.bin", reason="binary file (12% control characters)")],
    )


def with_log(ladder: Ladder) -> Ladder:
    """The same ladder with one item of each kind in its normalization log, and one progression."""
    log = Normalization(
        competency_mapping=[
            CompetencyMapping(
                track="High Touch CSM",
                name="Ownership & impact",
                competency_id="comp_owner",
                canonical="Ownership",
                how="alias_table",
            ),
            CompetencyMapping(
                track="Scale CSM",
                name="Customer insight",
                competency_id="comp_insight",
                canonical="Customer insight",
                how="fuzzy",
                score=91.5,
            ),
        ],
        levels=[
            LevelAssignment(
                track="Scale CSM", role="CSM II", role_id="role_scale2", path="ic", level="IC2", basis="menu order"
            ),
        ],
        clusters=[
            MergeCluster(
                behavior_id="beh_renewals",
                representative="Owns renewals end to end",
                members=[
                    ClusterMember(text="Owns renewals end to end", occurrences=2, score=100.0),
                    ClusterMember(
                        text="Owns renewals end-to-end", occurrences=1, score=96.2, why="merged: same normalized form"
                    ),
                ],
                rule="normalized",
                tracks=["High Touch CSM", "Scale CSM"],
            ),
        ],
        near_misses=[
            NearMiss(
                a_id="beh_data",
                b_id="beh_hostile",
                a_text="Finds basic data insights",
                b_text=HOSTILE,
                score=84.0,
                rule="below_threshold",
                tracks=["Scale CSM"],
                why="kept apart: score 84 below 88 (left over: insight (A), churn (B))",
                likelihood=0.28,
            ),
        ],
        splits=[
            Split(
                source_file="scale.txt",
                source_ref="L8",
                track="Scale CSM",
                bullet="Finds basic data insights and shares them",
                parts=["Finds basic data insights", "Shares them"],
            ),
        ],
        decisions=[
            DecisionOutcome(action="merge", target="beh_renewals + beh_x", status="applied"),
            DecisionOutcome(action="rename", target="Impact", status="stale", detail="no competency named Impact"),
        ],
    )
    progression = Progression(
        track="Scale CSM",
        competency_id="comp_insight",
        from_behavior="beh_data",
        to_behavior="beh_hostile",
        from_level="IC1",
        to_level="IC2",
        removed_words=["basic"],
        added_words=["advanced"],
        rule="proficiency",
        score=88.0,
    )
    return ladder.model_copy(update={"normalization": log, "progressions": [progression]})
