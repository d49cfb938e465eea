"""`ladder bench`: how the pipeline scales, on synthetic ladders (`synth.py`) whose truth is known.

Up to five measurements, each in a fresh subprocess so its peak memory (`ru_maxrss`) is its own:
1. per size N (behavior occurrences): de-duplication wall time, peak memory, candidate pairs scored (vs
   all pairs of distinct forms), clusters, and pairwise precision / recall against the generator's truth;
2. on a sample small enough for it: the exhaustive rapidfuzz `process.cdist` baseline, the default
   candidate generation (content-word keys) and prefix filtering on rare words, with wall times, the
   speed ratio, and the recall of each against what exhaustive comparison merges;
3. ingest + parse throughput (documents/s, words/s) on written documents, and the same documents again
   through the parse cache (what an unchanged re-run pays); then ingest alone (`ingest_bytes`: decode,
   repair, HTML parse, document tree, kind detection; and without the kind detection, timed again on the
   same documents and taken off) on the HTML documents against BeautifulSoup parsing the same pages with
   the "lxml" and "html.parser" builders (no tree of ours), in CPU seconds of the process
   (`time.process_time`, steadier than wall time on a shared machine), with the ratios;
4. end to end (`--e2e-docs`): documents written, then the ingestion flow run on them as `ladder run --no-cache`
   does (Prefect's temporary server, parse tasks, build, outputs, report), with the wall time of each stage, the
   peak RSS of the flow process and the peak RSS summed over the flow and every process it started;
5. with `--adversarial N`, the inputs that once made pairwise work superlinear (`measure_adversarial`):
   N near-duplicates of one template, N statements of very common words, and one competency of N / 5
   bullets over five levels for progressions; wall and CPU time, peak memory, candidates scored, and what
   came out.

Pairwise scores count pairs of *distinct texts* (an exact repeat is trivially the same behavior, and would
drown the figures): precision = share of merged pairs that the truth calls the same; recall = share of the
truth's same-pairs that were merged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import InputError, LadderError

DEFAULT_SIZES = (10_000, 100_000)
DEFAULT_SAMPLE = 20_000
DEFAULT_PARSE_DOCS = 500
DEFAULT_E2E_DOCS = (1_000,)
SAMPLE_EVERY_S = 0.2


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def pair_scores(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> tuple[int, int, int]:
    """(pairs predicted together, pairs together in truth, pairs in both) over items labelled twice.

    `pair_scores(["a", "a", "b"], [1, 1, 1])` -> `(1, 3, 1)`.
    """

    def together(counts: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counts.values())

    return (
        together(Counter(predicted)),
        together(Counter(truth)),
        together(Counter(zip(predicted, truth, strict=False))),
    )


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 1.0


def _texts_and_truth(n: int, seed: int) -> tuple[list[str], dict[str, str]]:
    from pipeline.devtools.synth import iter_occurrences

    texts: list[str] = []
    truth: dict[str, str] = {}
    for occ in iter_occurrences(n, seed):
        texts.append(occ.text)
        truth.setdefault(occ.text, occ.truth_id)
    return texts, truth


@dataclass
class SizeResult:
    occurrences: int
    distinct_texts: int
    forms: int
    truth_behaviors: int
    behaviors: int
    generate_s: float
    dedupe_s: float
    rss_before_mb: float
    peak_mb: float
    candidates: int
    all_pairs: int
    precision: float
    recall: float


@dataclass
class SampleResult:
    method: str
    occurrences: int
    forms: int
    candidates: int
    seconds: float
    merged_pairs: int
    recall_vs_exhaustive: float
    precision: float
    recall: float


@dataclass
class ParseResult:
    documents: int
    words: int
    parse_s: float
    cached_s: float
    html_documents: int = 0
    ingest_cpu_s: float = 0.0
    kind_cpu_s: float = 0.0
    soup_lxml_cpu_s: float = 0.0
    soup_parser_cpu_s: float = 0.0

    @property
    def docs_per_s(self) -> float:
        return round(self.documents / self.parse_s, 1) if self.parse_s else 0.0

    @property
    def words_per_s(self) -> float:
        return round(self.words / self.parse_s) if self.parse_s else 0.0

    @property
    def cache_speedup(self) -> float:
        return round(self.parse_s / self.cached_s, 1) if self.cached_s else float("inf")

    def html_docs_per_s(self, cpu_s: float) -> float:
        return round(self.html_documents / cpu_s, 1) if cpu_s else 0.0


@dataclass
class EndToEndResult:
    documents: int
    occurrences: int
    behaviors: int
    wall_s: float
    until_build_s: float  # start, Prefect's server, scan, ingest + parse
    build_s: float
    write_s: float  # dataset, tables, release comparison, report
    peak_flow_mb: float
    peak_total_mb: float
    output_mb: float


# ------------------------------------------------------------------------------- child measurements


def measure_size(n: int, seed: int) -> SizeResult:
    """De-duplicate the first `n` occurrences of the synthetic corpus (run in a fresh process)."""
    from pipeline.build.dedupe import dedupe
    from pipeline.config import Config

    config = Config().normalize
    t0 = time.perf_counter()
    texts, truth = _texts_and_truth(n, seed)
    generated = time.perf_counter() - t0
    before = _rss_mb()
    t0 = time.perf_counter()
    result = dedupe(texts, config)
    took = time.perf_counter() - t0
    distinct = sorted(truth)
    together, truth_pairs, both = pair_scores([result.key_of(t) for t in distinct], [truth[t] for t in distinct])
    forms = len(result.key_of_form)
    return SizeResult(
        occurrences=n,
        distinct_texts=len(distinct),
        forms=forms,
        truth_behaviors=len(set(truth.values())),
        behaviors=len(result.clusters),
        generate_s=round(generated, 1),
        dedupe_s=round(took, 1),
        rss_before_mb=before,
        peak_mb=_peak_mb(),
        candidates=result.candidates_scored,
        all_pairs=forms * (forms - 1) // 2,
        precision=_ratio(both, together),
        recall=_ratio(both, truth_pairs),
    )


def measure_sample(
    n: int, seed: int, methods: Sequence[str] = ("exhaustive", "content_keys", "prefix")
) -> list[SampleResult]:
    """The candidate generations side by side on the first `n` occurrences; exhaustive must come first."""
    from pipeline.build.dedupe import dedupe
    from pipeline.config import Config

    config = Config().normalize
    texts, truth = _texts_and_truth(n, seed)
    distinct = sorted(truth)
    truth_labels = [truth[t] for t in distinct]
    out: list[SampleResult] = []
    exhaustive_labels: list[str] | None = None
    for method in methods:
        t0 = time.perf_counter()
        result = dedupe(texts, config, candidates=method)
        took = time.perf_counter() - t0
        labels = [result.key_of(t) for t in distinct]
        if exhaustive_labels is None:
            exhaustive_labels = labels
        together, _, both_exh = pair_scores(labels, exhaustive_labels)
        _, exh_pairs, _ = pair_scores(exhaustive_labels, exhaustive_labels)
        _, truth_pairs, both = pair_scores(labels, truth_labels)
        out.append(
            SampleResult(
                method=method,
                occurrences=n,
                forms=len(result.key_of_form),
                candidates=result.candidates_scored,
                seconds=round(took, 2),
                merged_pairs=together,
                recall_vs_exhaustive=_ratio(both_exh, exh_pairs),
                precision=_ratio(both, together),
                recall=_ratio(both, truth_pairs),
            )
        )
    return out


def measure_parse(docs: int, seed: int) -> ParseResult:
    """Write `docs` synthetic documents, ingest + parse them, then read them all back through the cache."""
    from pipeline.config import Config
    from pipeline.devtools.synth import write_corpus
    from pipeline.runtime.batches import process_cached
    from pipeline.runtime.parse_cache import ParseCache

    config = Config()
    with tempfile.TemporaryDirectory(prefix="ladder-bench-") as tmp:
        corpus = write_corpus(Path(tmp) / "corpus", docs, seed)
        files = sorted(corpus.raw_dir.iterdir())
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in files)
        cache = ParseCache(Path(tmp) / "cache", config)
        t0 = time.perf_counter()
        for p in files:
            process_cached(p, corpus.raw_dir, config, {}, cache)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        for p in files:
            process_cached(p, corpus.raw_dir, config, {}, cache)
        again = time.perf_counter() - t0
        if cache.hits != len(files):
            raise LadderError(f"bench: expected {len(files)} cache hits on the second pass, got {cache.hits}")
        pages = [(p.name, p.read_bytes()) for p in files if p.suffix == ".html"]
    ingest_s, kind_s, lxml_s, parser_s = measure_html_ingest(pages, config)
    return ParseResult(
        documents=docs,
        words=words,
        parse_s=round(first, 3),
        cached_s=round(again, 3),
        html_documents=len(pages),
        ingest_cpu_s=round(ingest_s, 3),
        kind_cpu_s=round(kind_s, 3),
        soup_lxml_cpu_s=round(lxml_s, 3),
        soup_parser_cpu_s=round(parser_s, 3),
    )


def measure_html_ingest(pages: Sequence[tuple[str, bytes]], config: Any) -> tuple[float, float, float, float]:
    """CPU seconds to ingest `pages` (name, bytes), of that the kind detection (timed again on the same documents),
    and for BeautifulSoup to parse them with lxml and html.parser."""
    import warnings

    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning

    from pipeline.ingest import ingest_bytes, kind_of

    texts = [data.decode("utf-8") for _, data in pages]
    t0 = time.process_time()
    docs = [ingest_bytes(data, name, config) for name, data in pages]
    ingest_s = time.process_time() - t0
    t0 = time.process_time()
    for doc in docs:
        kind_of(doc.blocks, doc.nodes, config)
    kind_s = time.process_time() - t0
    soup_s = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        for builder in ("lxml", "html.parser"):
            t0 = time.process_time()
            for text in texts:
                BeautifulSoup(text, builder)
            soup_s.append(time.process_time() - t0)
    return ingest_s, kind_s, soup_s[0], soup_s[1]


class _StageClock(logging.Handler):
    """Records when each stage message of `pipeline.progress` arrives (`stage(...)` calls)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((time.perf_counter(), record.getMessage()))

    def first(self, prefix: str, default: float) -> float:
        return next((t for t, message in self.seen if message.startswith(prefix)), default)


class _TreeMemory:
    """Samples the RSS summed over this process and all its descendants every `SAMPLE_EVERY_S`; keeps the peak."""

    def __init__(self) -> None:
        import threading

        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # ended between listing and reading
                    total += proc.memory_info().rss
            self.peak_mb = max(self.peak_mb, round(total / 2**20, 1))
            self._stop.wait(SAMPLE_EVERY_S)


def measure_end_to_end(docs: int, seed: int) -> EndToEndResult:
    """Write `docs` synthetic documents, then run the ingestion flow on them with no cache (a first run)."""
    from flows.ingest import run_ingest
    from pipeline.devtools.synth import write_corpus
    from pipeline.progress import LOGGER_NAME

    with tempfile.TemporaryDirectory(prefix="ladder-bench-e2e-") as tmp:
        corpus = write_corpus(Path(tmp) / "corpus", docs, seed)
        out = Path(tmp) / "out"
        clock = _StageClock()
        logger = logging.getLogger(LOGGER_NAME)
        logger.addHandler(clock)
        logger.setLevel(logging.INFO)
        try:
            with _TreeMemory() as memory:
                t0 = time.perf_counter()
                summary = run_ingest(corpus.raw_dir, out, cache=False)
                end = time.perf_counter()
        finally:
            logger.removeHandler(clock)
        built = clock.first("building the dataset", end)
        writing = clock.first("writing the dataset", end)
        output = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    return EndToEndResult(
        documents=docs,
        occurrences=summary.behavior_occurrences,
        behaviors=summary.behaviors,
        wall_s=round(end - t0, 1),
        until_build_s=round(built - t0, 1),
        build_s=round(writing - built, 1),
        write_s=round(end - writing, 1),
        peak_flow_mb=_peak_mb(),
        # sampled, so it can miss the flow's own short peak, which it holds at least
        peak_total_mb=max(memory.peak_mb, _peak_mb()),
        output_mb=round(output / 2**20, 1),
    )


def _child(args: list[str]) -> None:
    kind, n, seed = args[0], int(args[1]), int(args[2])
    if kind in ADVERSARIAL_CORPORA:
        payload: object = asdict(measure_adversarial(kind, n, seed))
    elif kind == "size":
        payload = asdict(measure_size(n, seed))
    elif kind == "sample":
        payload = [asdict(r) for r in measure_sample(n, seed)]
    elif kind == "parse":
        payload = asdict(measure_parse(n, seed))
    elif kind == "e2e":
        payload = asdict(measure_end_to_end(n, seed))
    else:
        raise InputError(f"unknown bench measurement {kind!r} (valid: size, sample, parse, e2e)")
    print(json.dumps(payload))


def _run_child(kind: str, n: int, seed: int) -> Any:
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.devtools.bench", kind, str(n), str(seed)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise LadderError(f"bench: the {kind} measurement for {n:,} failed: {tail}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------- report


@dataclass
class BenchReport:
    sizes: list[SizeResult]
    sample: list[SampleResult]
    parse: ParseResult | None
    end_to_end: list[EndToEndResult] = field(default_factory=list)
    adversarial: list[AdversarialResult] = field(default_factory=list)


def run_bench(
    sizes: Sequence[int],
    sample: int,
    parse_docs: int,
    seed: int = 0,
    progress=None,
    e2e_docs: Sequence[int] = (),
    adversarial: int = 0,
) -> BenchReport:
    """Every measurement, each in its own subprocess; `progress(message)` is told what starts. `adversarial`
    is N of `run_adversarial` (0: skip)."""
    if any(n < 1 for n in sizes) or sample < 0 or parse_docs < 0 or any(n < 1 for n in e2e_docs) or adversarial < 0:
        raise InputError("bench: sizes and --e2e-docs must be >= 1, --sample, --parse-docs and --adversarial >= 0")
    say = progress or (lambda message: None)
    results = []
    for n in sizes:
        say(f"de-duplicating {n:,} occurrences")
        results.append(SizeResult(**_run_child("size", n, seed)))
    sample_results: list[SampleResult] = []
    if sample:
        say(f"comparing candidate generation with exhaustive scoring on {sample:,} occurrences")
        sample_results = [SampleResult(**r) for r in _run_child("sample", sample, seed)]
    parse = None
    if parse_docs:
        say(f"ingesting and parsing {parse_docs:,} documents, then again through the cache")
        parse = ParseResult(**_run_child("parse", parse_docs, seed))
    end_to_end = []
    for n in e2e_docs:
        say(f"end to end: writing {n:,} documents, then running the ingestion flow on them")
        end_to_end.append(EndToEndResult(**_run_child("e2e", n, seed)))
    return BenchReport(
        results, sample_results, parse, end_to_end, run_adversarial(adversarial, seed, say) if adversarial else []
    )


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = lambda cells: "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=False)) + " |"  # noqa: E731
    return "\n".join([line(header), "|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|", *map(line, rows)])


SIZE_COLUMNS = [
    "occurrences",
    "distinct texts",
    "forms",
    "dedupe s",
    "peak MB",
    "candidates scored",
    "all pairs",
    "behaviors",
    "truth",
    "precision",
    "recall",
]
SAMPLE_COLUMNS = [
    "method",
    "occurrences",
    "forms",
    "candidates scored",
    "wall s",
    "speed-up",
    "recall vs exhaustive",
    "precision",
    "recall",
]
PARSE_COLUMNS = ["documents", "words", "parse s", "docs/s", "words/s", "cached s", "cache speed-up"]
E2E_COLUMNS = [
    "documents",
    "occurrences",
    "behaviors",
    "wall s",
    "until build s",
    "build s",
    "write s",
    "peak MB (flow)",
    "peak MB (all processes)",
    "outputs MB",
]
INGEST_COLUMNS = [
    "HTML documents",
    "ingest docs/s",
    "BeautifulSoup lxml docs/s",
    "BeautifulSoup html.parser docs/s",
    "ingest / lxml",
    "ingest / html.parser",
    "without kind detection docs/s",
    "without kind / lxml",
]


def format_report(report: BenchReport) -> str:
    """The tables as Markdown (what `ladder bench` prints and the README quotes)."""
    parts = ["De-duplication by size (synthetic occurrences; precision/recall against the generator's truth)", ""]
    parts.append(
        _table(
            SIZE_COLUMNS,
            [
                [
                    f"{r.occurrences:,}",
                    f"{r.distinct_texts:,}",
                    f"{r.forms:,}",
                    f"{r.dedupe_s:.1f}",
                    f"{r.peak_mb:,.0f}",
                    f"{r.candidates:,}",
                    f"{r.all_pairs:,}",
                    f"{r.behaviors:,}",
                    f"{r.truth_behaviors:,}",
                    f"{r.precision:.4f}",
                    f"{r.recall:.4f}",
                ]
                for r in report.sizes
            ],
        )
    )
    if report.sample:
        exhaustive = next((r for r in report.sample if r.method == "exhaustive"), report.sample[0])
        parts += ["", "Candidate generation against exhaustive rapidfuzz process.cdist on a sample", ""]
        parts.append(
            _table(
                SAMPLE_COLUMNS,
                [
                    [
                        r.method,
                        f"{r.occurrences:,}",
                        f"{r.forms:,}",
                        f"{r.candidates:,}",
                        f"{r.seconds:.2f}",
                        f"{exhaustive.seconds / r.seconds:.1f}x" if r.seconds else "-",
                        f"{r.recall_vs_exhaustive:.4f}",
                        f"{r.precision:.4f}",
                        f"{r.recall:.4f}",
                    ]
                    for r in report.sample
                ],
            )
        )
    if report.parse:
        p = report.parse
        parts += ["", "Ingest + parse (one process), and the same documents through the parse cache", ""]
        parts.append(
            _table(
                PARSE_COLUMNS,
                [
                    [
                        f"{p.documents:,}",
                        f"{p.words:,}",
                        f"{p.parse_s:.2f}",
                        f"{p.docs_per_s:,.1f}",
                        f"{p.words_per_s:,.0f}",
                        f"{p.cached_s:.3f}",
                        f"{p.cache_speedup:.1f}x",
                    ]
                ],
            )
        )
        if p.html_documents:
            ingest, lxml, parser, bare = (
                p.html_docs_per_s(s)
                for s in (p.ingest_cpu_s, p.soup_lxml_cpu_s, p.soup_parser_cpu_s, p.ingest_cpu_s - p.kind_cpu_s)
            )
            parts += ["", "Ingest alone against BeautifulSoup on the same HTML documents (CPU time)", ""]
            parts.append(
                _table(
                    INGEST_COLUMNS,
                    [
                        [
                            f"{p.html_documents:,}",
                            f"{ingest:,.1f}",
                            f"{lxml:,.1f}",
                            f"{parser:,.1f}",
                            f"{ingest / lxml:.2f}" if lxml else "-",
                            f"{ingest / parser:.2f}" if parser else "-",
                            f"{bare:,.1f}",
                            f"{bare / lxml:.2f}" if lxml else "-",
                        ]
                    ],
                )
            )
    if report.end_to_end:
        parts += [
            "",
            "End to end, first run (`ladder run --no-cache`): until build = Prefect's start-up, scan, ingest + parse;",
            "write = dataset, tables, release comparison, report; peak MB (all processes) sums the flow, its parse",
            "workers and Prefect's server, sampled every 0.2 s",
            "",
        ]
        parts.append(
            _table(
                E2E_COLUMNS,
                [
                    [
                        f"{r.documents:,}",
                        f"{r.occurrences:,}",
                        f"{r.behaviors:,}",
                        f"{r.wall_s:.1f}",
                        f"{r.until_build_s:.1f}",
                        f"{r.build_s:.1f}",
                        f"{r.write_s:.1f}",
                        f"{r.peak_flow_mb:,.0f}",
                        f"{r.peak_total_mb:,.0f}",
                        f"{r.output_mb:,.1f}",
                    ]
                    for r in report.end_to_end
                ],
            )
        )
    if report.adversarial:
        parts += ["", *format_adversarial(report.adversarial)]
    return "\n".join(parts) + "\n"


# ------------------------------------------------------------------------------- adversarial corpora


@dataclass
class AdversarialResult:
    corpus: str
    statements: int
    forms: int
    seconds: float  # wall time of de-duplication (and, for the competency, grouping and progressions)
    cpu_s: float  # process time of the same
    peak_mb: float
    candidates: int  # candidate pairs scored by de-duplication
    behaviors: int
    near_misses: int
    progressions: int
    planted: int  # planted progressions (huge competency); 0 for the others
    planted_found: int  # progression links between the two bullets of one planted pair


ADVERSARIAL_CORPORA = ("near_duplicates", "common_words", "huge_competency")
COMPETENCY_SHARE = 5  # the huge competency has N / 5 bullets (20,000 for N = 10^5)


def measure_adversarial(kind: str, n: int, seed: int) -> AdversarialResult:
    """One adversarial corpus of `synth.py` (run in a fresh process): `near_duplicates` and `common_words`
    de-duplicate `n` statements; `huge_competency` groups `n` bullets of one competency over five levels
    (behaviors, near misses, progressions) and counts the planted progressions found."""
    from pipeline.build.behaviors import group_behaviors
    from pipeline.build.decisions import DecisionLog
    from pipeline.build.dedupe import dedupe
    from pipeline.config import Config
    from pipeline.devtools import synth

    config = Config().normalize
    if kind == "huge_competency":
        bullets = synth.huge_competency(n, seed, chains=min(200, n // 10))
        occurrences = synth.competency_occurrences(bullets)
        t0, c0 = time.perf_counter(), time.process_time()
        grouped = group_behaviors(occurrences, config, DecisionLog(None))
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        chain_of = {b.text: b.chain for b in bullets}
        text_of = {b.id: b.text for b in grouped.behaviors}
        found = sum(
            1
            for p in grouped.progressions
            if chain_of[text_of[p.from_behavior]] == chain_of[text_of[p.to_behavior]] >= 0
        )
        return AdversarialResult(
            corpus=kind,
            statements=n,
            forms=len({b.text for b in bullets}),
            seconds=round(took, 1),
            cpu_s=round(cpu, 1),
            peak_mb=_peak_mb(),
            candidates=grouped.candidates_scored,
            behaviors=len(grouped.behaviors),
            near_misses=len(grouped.near_misses),
            progressions=len(grouped.progressions),
            planted=len({b.chain for b in bullets if b.chain >= 0}),
            planted_found=found,
        )
    if kind not in ADVERSARIAL_CORPORA:
        raise InputError(f"unknown adversarial corpus {kind!r} (valid: {', '.join(ADVERSARIAL_CORPORA)})")
    texts = synth.near_duplicate_texts(n, seed) if kind == "near_duplicates" else synth.common_word_texts(n, seed)
    t0, c0 = time.perf_counter(), time.process_time()
    result = dedupe(texts, config)
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    return AdversarialResult(
        corpus=kind,
        statements=n,
        forms=len(result.key_of_form),
        seconds=round(took, 1),
        cpu_s=round(cpu, 1),
        peak_mb=_peak_mb(),
        candidates=result.candidates_scored,
        behaviors=len(result.clusters),
        near_misses=len(result.kept_apart),
        progressions=0,
        planted=0,
        planted_found=0,
    )


def run_adversarial(n: int, seed: int, say=lambda message: None) -> list[AdversarialResult]:
    """The three adversarial corpora, each in its own subprocess: `n` near-duplicates, `n` common-word
    statements, one competency of `n / COMPETENCY_SHARE` bullets."""
    out = []
    for kind in ADVERSARIAL_CORPORA:
        size = max(2, n // COMPETENCY_SHARE) if kind == "huge_competency" else n
        say(f"adversarial corpus {kind}: {size:,} statements")
        out.append(AdversarialResult(**_run_child(kind, size, seed)))
    return out


ADVERSARIAL_COLUMNS = [
    "corpus",
    "statements",
    "forms",
    "wall s",
    "CPU s",
    "peak MB",
    "candidates scored",
    "behaviors",
    "near misses",
    "progressions",
    "planted found",
]


def format_adversarial(rows: list[AdversarialResult]) -> list[str]:
    """The adversarial table as Markdown lines (title, blank line, table)."""
    return [
        "Adversarial corpora (bounded pairwise work: each row in a fresh process)",
        "",
        _table(
            ADVERSARIAL_COLUMNS,
            [
                [
                    r.corpus,
                    f"{r.statements:,}",
                    f"{r.forms:,}",
                    f"{r.seconds:.1f}",
                    f"{r.cpu_s:.1f}",
                    f"{r.peak_mb:,.0f}",
                    f"{r.candidates:,}",
                    f"{r.behaviors:,}",
                    f"{r.near_misses:,}",
                    f"{r.progressions:,}",
                    f"{r.planted_found:,}/{r.planted:,}" if r.planted else "-",
                ]
                for r in rows
            ],
        ),
    ]


if __name__ == "__main__":
    _child(sys.argv[1:])
