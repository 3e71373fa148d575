"""The one pretty_json behind the admin, the audit page and the pending-action cards."""

from __future__ import annotations

import datetime
import uuid

from audit.admin_tools import json_block
from audit.display import pretty_json


def test_pretty_json_indents_sorts_and_keeps_unicode():
    assert pretty_json({"b": 1, "a": "é"}) == '{\n  "a": "é",\n  "b": 1\n}'
    assert pretty_json({"b": 1, "a": 2}, sort_keys=False) == '{\n  "b": 1,\n  "a": 2\n}'


def test_pretty_json_parses_json_text_and_shows_other_text_as_it_is():
    assert pretty_json('{"date": "2025-01-01"}') == '{\n  "date": "2025-01-01"\n}'
    assert pretty_json("not json {") == "not json {"


def test_pretty_json_shows_what_the_database_stores_and_never_raises():
    moment = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    ident = uuid.UUID(int=1)
    assert pretty_json({"at": moment, "id": ident}) == (
        f'{{\n  "at": "2025-01-02T03:04:05Z",\n  "id": "{ident}"\n}}'
    )
    assert pretty_json({1: "a", "b": 2}) == "{1: 'a', 'b': 2}"  # unsortable keys


def test_json_block_escapes_stored_text():
    assert (
        json_block({"x": "<b>"})
        == '<pre class="json">{\n  &quot;x&quot;: &quot;&lt;b&gt;&quot;\n}</pre>'
    )
