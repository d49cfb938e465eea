"""`ladder review`: the last run's report served on loopback, with buttons that record reviewer decisions and
rebuild the candidate from the parse cache.

Plain functions plus an ASGI app factory (`create_app`, FastAPI); `ReviewServer` runs it with uvicorn on a
free port. Every request must carry the session's random token (`?token=` on the page, the
`X-Ladder-Token` header on each POST), as Jupyter does; anything else gets 403. The page is the run's
`report.html` (document text escaped there) with a review bar and a script added: the script reads the
actions the report offers as "copy as YAML" snippets (`data-decision` attributes) and turns them into
buttons. A decision is appended to the decisions file atomically with who, when and the optional note;
"rebuild" builds the dataset again from the parse cache (documents that changed since are parsed again),
writes every output and shows what changed against the candidate before it.
"""

from __future__ import annotations

import html
import secrets
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from pipeline.build.decisions import (
    Decisions,
    append_decision,
    current_user,
    decision_lines,
    decision_yaml,
    load_decisions,
    now_utc,
    parse_decision,
)
from pipeline.config import load_config
from pipeline.errors import InputError, LadderError
from pipeline.release.diff import diff_ladders, summary_lines
from pipeline.release.publish import load_candidate

TOKEN_HEADER = "X-Ladder-Token"


@dataclass
class ReviewSession:
    """What one `ladder review` serves and where its decisions and rebuilds go."""

    out_dir: Path
    raw_dir: Path
    decisions_path: Path
    config_path: Path | None = None
    cache_dir: Path | None = None
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    user: str = field(default_factory=current_user)
    made: list[str] = field(default_factory=list)  # YAML of each decision made in this session, in order
    last_rebuild: RebuildResult | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, token: str | None) -> bool:
        return token is not None and secrets.compare_digest(token.encode(), self.token.encode())


@dataclass
class RebuildResult:
    """What a rebuild changed against the candidate before it."""

    summary: list[str]  # `summary_lines` of the diff
    added: list[str]  # behavior ids new in this build
    removed: list[str]  # behavior ids gone from it
    decisions: list[str]  # `decision_lines` of the build


def check_ready(out_dir: Path) -> None:
    """Raise InputError when `out_dir` holds no run to review."""
    for name in ("report.html", "ladder.json"):
        if not (out_dir / name).is_file():
            raise InputError(f"no {name} in {out_dir}: run `ladder run --out {out_dir}` first")


def record_decision(session: ReviewSession, data: dict, note: str = "") -> str:
    """Validate and append one decision (who: the session's user, when: now); return its YAML."""
    decision = parse_decision({**data, "note": note.strip(), "by": session.user, "at": now_utc()})
    append_decision(session.decisions_path, decision)
    text = decision_yaml(decision)
    session.made.append(text)
    return text


def rebuild(session: ReviewSession) -> RebuildResult:
    """Build the dataset again from the parse cache with the decisions file, write every output, diff.

    No Prefect server: the same library functions the flow's tasks call, in this process.
    """
    from pipeline.ingest import list_inputs, load_manifest
    from pipeline.run import build_and_write
    from pipeline.runtime.batches import process_batch
    from pipeline.runtime.parse_cache import DEFAULT_DIR_NAME, fingerprint

    config = load_config(session.config_path)
    decisions = load_decisions(session.decisions_path) if session.decisions_path.is_file() else Decisions()
    before = load_candidate(session.out_dir) if (session.out_dir / "ladder.json").is_file() else None
    files, _skipped = list_inputs(session.raw_dir, config)
    manifest = load_manifest(session.raw_dir, config)
    cache_root = (session.cache_dir or session.out_dir / DEFAULT_DIR_NAME).absolute()
    results = process_batch(
        [p.absolute() for p in files], session.raw_dir.absolute(), config, manifest, cache_root, fingerprint(config)
    )
    summary, _markdown = build_and_write(results, session.out_dir, config, decisions)
    after = load_candidate(session.out_dir)
    diff = diff_ladders(before, after, base_label="the candidate before this rebuild", target_label="the rebuild")
    result = RebuildResult(
        summary=summary_lines(diff),
        added=[e.id for e in diff.behaviors.added],
        removed=[e.id for e in diff.behaviors.removed],
        decisions=decision_lines(summary.decisions),
    )
    session.last_rebuild = result
    return result


# ------------------------------------------------------------------------------------------------ page

# The review bar's stylesheet and script are package files next to the report's (report/review.css,
# report/review.js), inlined into the served page. The script turns each `.act[data-decision]` of the report into
# a button; decisions and the rebuild are POSTed with the token; what comes back is shown with textContent only.
_ASSETS = resources.files("pipeline.release.report")
_REVIEW_CSS = _ASSETS.joinpath("review.css").read_text(encoding="utf-8")
_REVIEW_JS = _ASSETS.joinpath("review.js").read_text(encoding="utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def review_page(session: ReviewSession) -> str:
    """The run's report.html with the review bar, the last rebuild's result and the review script."""
    page = (session.out_dir / "report.html").read_text(encoding="utf-8")
    bar = [
        '<div id="review">',
        f"<strong>Review</strong> <span>decisions go to <code>{_e(session.decisions_path)}</code>",
        f" as {_e(session.user or 'unknown')}</span>",
        '<input type="text" id="review-note" placeholder="Note for the next decision (optional)" maxlength="500">',
        '<button type="button" id="rebuild">Rebuild</button>',
        '<span id="review-status" role="status"></span>',
        '<ol id="made">' + "".join(f"<li><pre>{_e(y)}</pre></li>" for y in session.made) + "</ol>",
        "</div>",
    ]
    r = session.last_rebuild
    if r is not None:
        bar.append('<div id="rebuilt"><strong>Rebuilt.</strong>')
        bar.append("<ul>" + "".join(f"<li>{_e(line)}</li>" for line in r.summary + r.decisions) + "</ul>")
        bar.append(f'<p>New behavior ids: <span id="new-ids">{_e(", ".join(r.added) or "none")}</span></p>')
        bar.append(f'<p>Gone: <span id="gone-ids">{_e(", ".join(r.removed) or "none")}</span></p></div>')
    head_at = page.index("</h1>") + len("</h1>")
    page = page[:head_at] + "\n" + "\n".join(bar) + page[head_at:]
    page = page.replace("</head>", f'<link rel="icon" href="data:,"><style>{_REVIEW_CSS}</style>\n</head>', 1)
    page = page.replace("<body>", f'<body data-token="{_e(session.token)}">', 1)
    return page.replace("</body>", f"<script>{_REVIEW_JS}</script>\n</body>", 1)


# ------------------------------------------------------------------------------------------------- app


def create_app(session: ReviewSession) -> FastAPI:
    """The ASGI app of a review session: GET / (the page), POST /api/decide, POST /api/rebuild."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    forbidden = "403 forbidden: open the URL `ladder review` printed (it carries the session's token)\n"

    @app.middleware("http")
    async def require_token(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        token = request.headers.get(TOKEN_HEADER) if request.method == "POST" else request.query_params.get("token")
        if request.method not in ("GET", "POST") or not session.check(token):
            return PlainTextResponse(forbidden, status_code=403)
        return await call_next(request)

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return HTMLResponse(
            review_page(session), headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
        )

    @app.post("/api/decide")
    async def decide(request: Request) -> JSONResponse:
        try:
            body = await request.json()
            decision = body.get("decision") if isinstance(body, dict) else None
            if not isinstance(decision, dict):
                raise InputError("expected {decision: {...}, note: ...}")
            with session.lock:
                text = record_decision(session, decision, str(body.get("note") or ""))
                count = len(load_decisions(session.decisions_path).decisions)
        except (LadderError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"yaml": text, "count": count, "file": str(session.decisions_path)})

    @app.post("/api/rebuild")
    def rebuild_endpoint() -> JSONResponse:
        try:
            with session.lock:
                r = rebuild(session)
        except LadderError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"summary": r.summary, "added": r.added, "removed": r.removed, "decisions": r.decisions})

    return app


class ReviewServer:
    """uvicorn serving `create_app(session)` on `host` and a free port, in a background thread."""

    def __init__(self, session: ReviewSession, host: str = "127.0.0.1", port: int = 0) -> None:
        import uvicorn

        self.session = session
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.host, self.port = host, self.socket.getsockname()[1]
        config = uvicorn.Config(create_app(session), log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/?token={self.session.token}"

    def start(self) -> ReviewServer:
        self.thread.start()
        while not self.server.started and self.thread.is_alive():
            self.thread.join(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()
