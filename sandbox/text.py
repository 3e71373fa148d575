"""Word matching for the reply policy: tokens, a small stemmer, stop words and overlap scores.

Deliberately simple and deterministic: the same text always routes the same way, and a reader can
predict the outcome by hand ("refunds" and "refund" share the stem "refund").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either else few for from
    further had has have having he her here hers him his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours out over own same she
    should so some such than that the their them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours yourself please thank thanks hello hi hey want wants wanted need needs needed like
    would could get gets got give given let lets make makes made tell know think may might
    must shall one two next last current currently
    agent agents assistant used use uses using help helps helping handle handles handling request
    requests related question questions answer answers thing things something anything
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# A few words people use for the same job, folded onto one stem before matching.
SYNONYMS = {
    "plot": "graph",
    "chart": "graph",
    "diagram": "graph",
    "draw": "graph",
    "drawing": "graph",
    "visualis": "graph",
    "visualiz": "graph",
    "comput": "calculat",
}

_WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A light suffix stripper: refunds→refund, charged/charges/charge→charg, graphs→graph."""
    w = word.lower()
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix, replacement in (("ation", "at"), ("ing", ""), ("ed", ""), ("er", ""), ("or", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)] + replacement
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words; `get_interest_rate` and `ecb-rate-agent` split into words."""
    return _WORD.findall(text.lower().replace("_", " "))


def stems(text: str) -> set[str]:
    """The meaningful stems of a text: no stop words, no bare numbers."""
    out: set[str] = set()
    for w in words(text):
        if w in STOP_WORDS or w.isdigit() or len(w) < 2:
            continue
        s = stem(w)
        out.add(SYNONYMS.get(w, SYNONYMS.get(s, s)))
    return out


def overlap_score(request: set[str], name: str, description: str | None) -> float:
    """Distinct request stems found in the name (weight 2) or the description (weight 1)."""
    name_stems = stems(name)
    desc_stems = stems(description or "")
    return float(sum(2 if s in name_stems else 1 if s in desc_stems else 0 for s in request))


def best_match(
    request: set[str], candidates: Iterable[tuple[str, str, str | None]], threshold: float
) -> tuple[str | None, float]:
    """The key of the best (key, name, description) candidate at or above the threshold.

    Ties go to the earlier candidate, so the order of an agent's `handoffs` decides, as a user
    reading the graph would expect.
    """
    best_key, best_score = None, 0.0
    for key, name, description in candidates:
        score = overlap_score(request, name, description)
        if score > best_score:
            best_key, best_score = key, score
    if best_score < threshold:
        return None, best_score
    return best_key, best_score


def word_count(text: str) -> int:
    return len(text.split())


_FILLER = (
    "The sandbox keeps talking so that a benchmark sees a long streamed reply; every word of it "
    "is deterministic, and the whole paragraph repeats until the reply is long enough. "
)
TOKEN_CHARS = 4  # about four characters per token, as the real models' tokenizers average


def lengthen(text: str, tokens: int) -> str:
    """`text` followed by filler until it is about `tokens` tokens long (never shorter)."""
    want = tokens * TOKEN_CHARS
    if len(text) >= want:
        return text
    missing = want - len(text) - 1
    filler = (_FILLER * (missing // len(_FILLER) + 1))[:missing]
    return f"{text} {filler}"
