"""Stage 4, release: a built `Ladder` becomes files, a report, a diff against the last release, and
immutable published releases."""
