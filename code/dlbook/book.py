"""The first cell of every chapter: ``device = dlbook.setup()``.

One call fixes everything that changes the book's numbers -- every random seed and
torch's CPU thread count (1 unless ``DLBOOK_THREADS`` says otherwise: a matrix product
split over more threads adds in another order and can change the last digits, which a
long training run magnifies) -- sets up the CJK font and the figure style, configures
the notebook's figure output, and records (glues) where the chapter ran. So
``jupyter-book build .``, ``make book`` and a reader's own Jupyter give the same numbers
on the same kind of device.
"""

from __future__ import annotations

import os

import matplotlib
import torch

from ._check import env_positive_int, positive_int
from .device import describe_device, get_device
from .fonts import setup_fonts
from .notebook import glue
from .seed import seed_everything
from .tracebacks import short_paths

THREADS_ENV_VAR = "DLBOOK_THREADS"
#: set to 1 by the book's builds (``book/_ext/pdf_zh.py`` for ``jupyter-book build .``,
#: ``tools/build_book.py`` for ``make book``): figures also leave as vector PDFs for the
#: PDF edition. A reader's own Jupyter gets the PNG alone (no second drawing, no PDF
#: stored in the notebook).
PRINT_FIGURES_ENV_VAR = "DLBOOK_PRINT_FIGURES"
#: torch's CPU threads when ``DLBOOK_THREADS`` is unset: the thread count the book's
#: numbers are for.
DEFAULT_THREADS = 1

#: Figure style: an opaque white background keeps axes readable on the dark theme.
STYLE = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.dpi": 96,
    "savefig.dpi": 96,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "font.size": 10,
    "svg.hashsalt": "dlbook",
    "image.interpolation": "nearest",
}


def device_summary(info: dict) -> str:
    """One line in Chinese saying where the code ran, from :func:`describe_device`."""
    where = "GPU" if info["device"] == "cuda" else "CPU"
    gib = info.get("gpu_memory_gib")
    extra = f"，显存 {gib} GiB" if gib is not None else ""
    versions = f"torch {info['torch']} · CUDA {info['cuda']}"
    return f"{where}：{info['name']}{extra} · {versions}"


def figure_png(fig, colors: int = 256) -> bytes:
    """The figure as a compact PNG: opaque, at most ``colors`` colours (palette), no
    version stamp.

    The book's figures are drawn with a handful of colours plus anti-aliasing, so a
    256-colour palette (median cut, no dithering) looks the same and is about 3x smaller
    than matplotlib's RGBA PNG. The result is deterministic: same figure, same bytes.
    """
    import io

    from PIL import Image

    colors = positive_int("colors", colors, minimum=2)
    if colors > 256:
        raise ValueError(f"colors must be at most 256 for a palette PNG, got {colors}")
    raw = io.BytesIO()
    fig.savefig(raw, format="png", bbox_inches="tight", metadata={"Software": None})
    image = Image.open(raw).convert("RGB")
    small = image.quantize(
        colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _base64(draw, fig) -> str | None:
    """``draw(fig)`` in base64, as IPython's image formatters return it; None for a
    figure without axes (nothing to show)."""
    import base64

    return base64.b64encode(draw(fig)).decode("ascii") if fig.axes else None


def _configure_notebook_figures() -> None:
    """Figures leave the notebook byte-reproducible as a compact PNG
    (:func:`figure_png`, what the site and Jupyter show) and, in the book's builds
    (:data:`PRINT_FIGURES_ENV_VAR`), also as a vector PDF
    (:func:`dlbook.printfig.figure_pdf`, what the PDF edition prints).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the book's kernel
        return
    ip = get_ipython()
    if ip is None:
        return
    from functools import partial

    from matplotlib.figure import Figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    from .printfig import figure_pdf

    formats = {"image/png": figure_png}
    if os.environ.get(PRINT_FIGURES_ENV_VAR) == "1":
        formats["application/pdf"] = figure_pdf
    set_matplotlib_formats(*(mime.split("/")[1] for mime in formats))
    for mime, draw in formats.items():
        ip.display_formatter.formatters[mime].for_type(Figure, partial(_base64, draw))


def setup(seed: int = 12345, *, glue_name: str | None = "device") -> torch.device:
    """Prepare a chapter; return the device to compute on.

    * seeds Python, NumPy and torch (:func:`dlbook.seed.seed_everything`);
    * registers the CJK font (:func:`dlbook.fonts.setup_fonts`) and the figure style;
    * sets torch's CPU threads to :data:`DEFAULT_THREADS` (1), whoever runs the chapter;
      ``DLBOOK_THREADS=n`` asks for n (faster on a big machine; the last digits of
      trained numbers may then differ from the book's);
    * inside a notebook: PNG figures (and vector PDFs for print) without version
      metadata, tracebacks that name library files from the environment's folder on
      (:func:`dlbook.tracebacks.short_paths`),
      and the device line glued as ``glue_name`` (hidden) for the execution report.
    """
    threads = env_positive_int(THREADS_ENV_VAR) or DEFAULT_THREADS
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    matplotlib.rcParams.update(STYLE)
    setup_fonts()
    seed_everything(seed)
    device = get_device()
    _configure_notebook_figures()
    short_paths()
    if glue_name:
        from IPython import get_ipython

        if get_ipython() is not None:
            glue(glue_name, device_summary(describe_device(device)), display=False)
    return device
