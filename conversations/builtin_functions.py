"""Functions every Agent Studio worker can answer without a person (see conversations.functions)."""

from __future__ import annotations

import ast
import operator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from conversations.functions import agent_function

_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


@agent_function
def get_current_time(timezone: str = "UTC") -> dict:
    """The current date and time in an IANA time zone."""
    now = datetime.now(UTC).astimezone(ZoneInfo(timezone))
    return {"timezone": timezone, "iso": now.isoformat()}


@agent_function
def evaluate_arithmetic(expression: str) -> dict:
    """Evaluate + - * / ** % on numbers, without running any code."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 100:
                raise ValueError("exponent too large")
            return _OPERATORS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.operand))
        raise ValueError(f"unsupported expression element: {type(node).__name__}")

    return {"expression": expression, "value": walk(ast.parse(expression, mode="eval").body)}
