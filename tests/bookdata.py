"""Reading what the book build produced: executed notebooks, glued values, the search
index.

Plain functions (no fixtures) shared by the test modules; `conftest.py` wraps them in
fixtures.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GLUE_MIME = "application/papermill.record/text/plain"


CACHE_DIR = ROOT / "_build" / ".jupyter_cache"


def toc_docs(toc_file: Path = ROOT / "_toc.yml") -> list[str]:
    """Docnames of the table of contents in reading order (``book/intro``,
    ``book/setup``, ``book/qa/alexnet``, ...): the one list of chapters."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    return list(parse_toc_yaml(toc_file))


def chapter_docs(root: Path = ROOT) -> list[str]:
    """Docnames of the pages with code cells (the notebook chapters), in reading order
    (from _toc.yml)."""
    docs = []
    for doc in toc_docs(root / "_toc.yml"):
        src = root / f"{doc}.md"
        if src.is_file() and "```{code-cell}" in src.read_text(encoding="utf-8"):
            docs.append(doc)
    return docs


def executed_notebook(docname: str, cache_dir: Path = CACHE_DIR):
    """The executed notebook of chapter ``docname`` (e.g. ``"book/spiral"``) from
    MyST-NB's cache.

    (The notebooks in `_build/jupyter_execute` carry no outputs when the build took the
    chapter from the cache, and never carry glue outputs; the cache keeps the executed
    notebook whole.)
    """
    from jupyter_cache import get_cache

    source = ROOT / f"{docname}.md"
    cache = get_cache(str(cache_dir))
    try:
        record = cache.get_cached_project_nb(str(source))
    except KeyError:
        record = None
    if record is None:
        raise LookupError(
            f"{source} has no up-to-date executed notebook in {cache_dir}: rebuild the book"
        )
    return cache.get_cache_bundle(record.pk).nb


def glue_values(nb) -> dict:
    """{glue name: value} of an executed notebook (values parsed from their text/plain
    form)."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if meta and GLUE_MIME in out.get("data", {}):
                values[meta["name"]] = _literal(out["data"][GLUE_MIME])
    return values


def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def docs_for(search_index: dict, word: str) -> set[str]:
    """Documents the site's search finds for one word (body terms and title terms, as
    searchtools.js)."""
    found = set()
    for key in ("terms", "titleterms"):
        hits = search_index[key].get(word, [])
        hits = hits if isinstance(hits, list) else [hits]
        found |= {search_index["docnames"][i] for i in hits}
    return found
