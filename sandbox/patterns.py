"""The orchestration guide's roles, played from an agent's instructions and the request.

Deterministic like the rest of the policy, and recognised from what the guide's agents say they
are (its "Request Classifier", "Strategy Evaluator", "Task Manager", "Task Decomposer"):

- a classifier (instructions list `- LABEL: what it covers` and mention classifying) answers one
  label, the one whose description (plus a few words people use for it) best matches the request;
  ties go to the label listed first;
- a judge (instructions evaluate or judge; the request lists `CANDIDATE n (name):` blocks) names
  the candidate whose text best matches its instructions, the first on a tie;
- a manager (instructions list `- Name: what it does` workers and mention delegating or
  assigning) returns JSON subtasks, each naming one of those workers: one per numbered line of
  the request, given to the best-matching worker, else one per worker;
- a decomposer (instructions mention decomposing) splits a task that lists several parts
  ("… including A, B, and C") into those parts, and marks a task without a list EXECUTABLE, so
  the splitting stops at the depth where the parts are simple.

Anything else returns None and the policy answers as usual.
"""

from __future__ import annotations

import json
import re

from sandbox.text import stems

_LINE = re.compile(r"^\s*[-*•]\s*([A-Za-z][A-Za-z0-9 _-]{0,39}?)\s*:\s*(.+?)\s*$", re.MULTILINE)
_CANDIDATE = re.compile(r"^CANDIDATE (\d+) \(([^)]*)\):\s*$", re.MULTILINE)
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.+?)\s*$", re.MULTILINE)
# Words people use for the guide's categories that their one-line descriptions do not contain.
_LEXICON = {
    "TECHNICAL": "technical calculate compute code program algorithm fibonacci sequence math "
    "debug bug error api server function formula equation",
    "RESEARCH": "research latest trends news recent find search sources market who history "
    "current developments",
    "CREATIVE": "creative create draw paint image picture story poem design imagine art sunset "
    "landscape illustration",
    "DATA": "data dataset statistics analyze analysis csv table numbers average metrics",
}
_LEXICON_STEMS = {label: stems(text) for label, text in _LEXICON.items()}


def _score(request: set[str], text: str) -> int:
    return len(request & stems(text))


def classify(instructions: str, request: str) -> str | None:
    labels = [(name, desc) for name, desc in _LINE.findall(instructions) if name.isupper()]
    if len(labels) < 2 or "classif" not in instructions.lower():
        return None
    wanted = stems(request)
    best, best_score = labels[0][0], 0
    for name, description in labels:
        score = _score(wanted, description) + len(wanted & _LEXICON_STEMS.get(name, set()))
        if score > best_score:
            best, best_score = name, score
    return best


def judge(instructions: str, request: str) -> dict | None:
    lowered = instructions.lower()
    if not any(word in lowered for word in ("evaluat", "judge", "compar")):
        return None
    heads = list(_CANDIDATE.finditer(request))
    if len(heads) < 2:
        return None
    wanted = stems(instructions)
    best, best_score = 0, -1
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(request)
        score = _score(wanted, request[head.end() : end])
        if score > best_score:
            best, best_score = index, score
    number, name = int(heads[best].group(1)), heads[best].group(2)
    return {"winner": number, "rationale": f"{name} best matches the evaluation criteria."}


def plan(instructions: str, request: str) -> dict | None:
    lowered = instructions.lower()
    if "worker" not in lowered or not any(w in lowered for w in ("delegat", "assign")):
        return None
    if "\nRESULT:" in request:
        return None  # the manager synthesizing its workers' results answers as usual
    workers = [(name, desc) for name, desc in _LINE.findall(instructions) if not name.isupper()]
    if not workers:
        return None
    body = request.split("Available workers:")[0].replace("User request:", "").strip()
    lines = _NUMBERED.findall(body)
    if not lines:
        return {"subtasks": [{"worker": name, "task": body} for name, _ in workers]}
    subtasks = []
    for line in lines:
        wanted = stems(line)
        scores = [_score(wanted, f"{name} {desc}") for name, desc in workers]
        subtasks.append({"worker": workers[scores.index(max(scores))][0], "task": line})
    return {"subtasks": subtasks}


def decompose(instructions: str, request: str) -> str | None:
    if "decompos" not in instructions.lower():
        return None
    task = request.split("Analyze this task:", 1)[-1].strip()
    lead, _, listed = task.partition(" including ")
    parts = [
        p.strip(" .")
        for p in re.split(r",\s*(?:and\s+)?|\s+and\s+|;\s*", listed or task)
        if p.strip(" .")
    ]
    if len(parts) < 2:
        return f"TASK: {task}\nCOMPLEXITY: SIMPLE\nACTION: EXECUTE"
    items = "\n".join(f"- {part}" for part in parts)
    return f"TASK: {task}\nCOMPLEXITY: COMPLEX\nACTION: DECOMPOSE\nSUBTASKS:\n{items}"


def reply(instructions: str, request: str) -> str | None:
    """The reply of an orchestration role, or None for any other agent."""
    if not instructions or not request:
        return None
    label = classify(instructions, request)
    if label is not None:
        return label
    for structured in (judge, plan):
        found = structured(instructions, request)
        if found is not None:
            return json.dumps(found)
    return decompose(instructions, request)
