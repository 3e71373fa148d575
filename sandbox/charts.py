"""Real PNG files for the built-in tools: a compound-growth chart for `code_interpreter` and a
small generated picture for `image_generation`, both drawn with matplotlib's Agg backend."""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display in a server process

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Circle  # noqa: E402

PRINCIPAL = 1000.0


@dataclass(frozen=True)
class GrowthChart:
    rate_percent: float
    years: int
    principal: float = PRINCIPAL

    def values(self) -> list[float]:
        r = self.rate_percent / 100
        return [round(self.principal * (1 + r) ** year, 2) for year in range(self.years + 1)]

    def code(self) -> str:
        """The Python a code interpreter would have run; shown in the tool execution's `info`."""
        return (
            "import matplotlib.pyplot as plt\n"
            f"principal, rate, years = {self.principal:g}, {self.rate_percent / 100:g}, "
            f"{self.years}\n"
            "values = [principal * (1 + rate) ** t for t in range(years + 1)]\n"
            "for t, v in enumerate(values):\n"
            "    print(t, round(v, 2))\n"
            "plt.plot(range(years + 1), values, marker='o')\n"
            "plt.title(f'Compound growth at {rate:.2%} per year')\n"
            "plt.xlabel('Years'); plt.ylabel('Amount')\n"
            "plt.savefig('plot_0.png')\n"
        )

    def output(self) -> str:
        return "".join(f"{t} {v}\n" for t, v in enumerate(self.values()))

    def png(self) -> bytes:
        return _growth_png(self.rate_percent, self.years, self.principal)


# Drawing takes tens of milliseconds of CPU; identical charts (a benchmark's hundred identical
# conversations) are drawn once.
@functools.lru_cache(maxsize=64)
def _growth_png(rate_percent: float, years: int, principal: float) -> bytes:
    chart = GrowthChart(rate_percent, years, principal)
    fig = Figure(figsize=(6, 4), dpi=80)
    ax = fig.add_subplot()
    ax.plot(range(years + 1), chart.values(), marker="o")
    ax.set_title(f"Compound growth at {rate_percent:g}% per year (sandbox)")
    ax.set_xlabel("Years")
    ax.set_ylabel(f"Value of {principal:g}")
    ax.grid(True, alpha=0.3)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@functools.lru_cache(maxsize=64)
def generated_image(prompt: str) -> bytes:
    """A deterministic abstract picture seeded by the prompt, captioned as a sandbox image."""
    seed = hashlib.sha256(prompt.encode()).digest()
    fig = Figure(figsize=(4, 4), dpi=64)
    ax = fig.add_subplot()
    for i in range(0, 24, 3):
        x, y, size = seed[i] / 255, seed[i + 1] / 255, 0.05 + seed[i + 2] / 900
        color = (seed[i] / 255, seed[i + 1] / 255, seed[(i + 5) % 32] / 255)
        ax.add_patch(Circle((x, y), size, color=color, alpha=0.8))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    ax.set_title(f"sandbox image: {prompt[:40]}", fontsize=8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
