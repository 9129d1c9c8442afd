"""The benchmark picture: token reduction against needle retention, one point per category and system.

Up and to the right is better: smaller output that still holds what the
answer needs. matplotlib is imported here only, with the Agg backend, so
neither the CLI nor a headless machine pays for it unless a plot is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ccr import InputError
from mcp_server.bench._results import ALL, SystemRun, summarize

__all__ = ["plot_reduction_vs_retention"]

_STYLES = (("o", "tab:blue"), ("s", "tab:green"), ("^", "tab:red"), ("D", "tab:purple"), ("v", "tab:orange"))


def plot_reduction_vs_retention(runs: Sequence[SystemRun], path: Path, title: str = "") -> Path:
    """Write a PNG of reduction (x) vs needles kept (y) per category for each of `runs`; returns `path`.

    Raises:
        InputError: the file cannot be written.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 6.5), dpi=110)
    try:
        for i, run in enumerate(runs):
            marker, color = _STYLES[i % len(_STYLES)]
            rows = [c for c in summarize(run) if c.samples and c.kept_rate is not None]
            cats = [c for c in rows if c.category != ALL]
            xs = [c.reduction * 100 for c in cats]
            ys = [(c.kept_rate or 0.0) * 100 for c in cats]
            ax.scatter(xs, ys, marker=marker, color=color, alpha=0.75, label=f"{run.system} {run.version} ({run.mode})")
            for c, x, y in zip(cats, xs, ys, strict=True):
                # Each system's labels sit at their own offset, so coinciding points stay readable.
                ax.annotate(
                    c.category, (x, y), textcoords="offset points", xytext=(5, 3 - 10 * i), fontsize=7, color=color
                )
            overall = next((c for c in rows if c.category == ALL), None)
            if overall is not None:
                ax.scatter(
                    [overall.reduction * 100],
                    [(overall.kept_rate or 0.0) * 100],
                    marker=marker,
                    s=180,
                    facecolors="none",
                    edgecolors=color,
                    linewidths=2,
                )
                ax.annotate(
                    "all",
                    (overall.reduction * 100, (overall.kept_rate or 0.0) * 100),
                    textcoords="offset points",
                    xytext=(8, -10),
                    fontsize=8,
                    fontweight="bold",
                    color=color,
                )
        ax.set_xlim(-5, 105)
        ax.set_ylim(-5, 105)
        ax.set_xlabel("token reduction, % (o200k_base)")
        ax.set_ylabel("needles kept in the compressed text, %")
        ax.set_title(title or "reduction vs needle retention per category (hollow: all samples)", fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower left", fontsize=8)
        fig.tight_layout()
        try:
            fig.savefig(path, format="png")
        except OSError as exc:
            raise InputError(f"cannot write the plot {path}: {exc.strerror or exc}") from exc
    finally:
        plt.close(fig)
    return path
