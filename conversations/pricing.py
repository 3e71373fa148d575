"""Published Mistral list prices, for the conversation page's cost estimate.

USD per million tokens, (prompt, completion). An estimate for the reader, never a bill: the
backend's invoice is the truth, and a model missing here shows no cost rather than a guess.
"""

from __future__ import annotations

PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "mistral-large-latest": (2.0, 6.0),
    "mistral-medium-latest": (0.4, 2.0),
    "mistral-small-latest": (0.1, 0.3),
    "magistral-medium-latest": (2.0, 5.0),
    "magistral-small-latest": (0.5, 1.5),
    "codestral-latest": (0.3, 0.9),
    "devstral-small-latest": (0.1, 0.3),
    "ministral-8b-latest": (0.1, 0.1),
    "ministral-3b-latest": (0.04, 0.04),
    "open-mistral-nemo": (0.15, 0.15),
    "pixtral-large-latest": (2.0, 6.0),
}


def model_price(model: str | None) -> tuple[float, float] | None:
    return PRICES_PER_MILLION.get((model or "").strip())
