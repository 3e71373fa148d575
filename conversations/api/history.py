"""A conversation's history for its page, in pages of entries instead of the whole event log.

The first page says where the entries end and the log takes over: `seq` and `position` (and the
token `usage` up to there), read together while no turn runs, so every entry up to `position` is
final and every event after `seq` is what the page's socket replays. The next pages pass `upto`
(that position) and `after` (the last position they have). `notes` (first page only) are the
logged events that draw something beside the entries (errors, failed or cancelled turns, pending
actions, files), with each failed turn's events from its start (the page shows what was seen of
its deleted outputs).
While a turn is queued or running, `settled` is false and the page replays the log instead.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import rendering, selectors
from conversations.api import serializers as s
from conversations.api.views import int_param
from conversations.models import Entry

FIRST_PAGE = 60
MAX_PAGE = 500


class ConversationHistory(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("after", int, description="Entries after this position"),
            OpenApiParameter("upto", int, description="The first page's `position`"),
            OpenApiParameter("limit", int),
        ],
        responses={200: OpenApiTypes.OBJECT},
        description=(
            "A page of entries: `settled`, `seq`, `position`, `count`, `usage` and `notes` on "
            "the first page, then `entries`, `rendered`, `next` and `upto`. While a turn is "
            'queued or running only `{"settled": false}`: replay the event log instead.'
        ),
    )
    def get(self, request, pk):
        conversation = selectors.conversation_get_for_user(request.user, pk)
        # Positions start at 0: "after -1" is from the first entry.
        after = int_param(request, "after", -1, minimum=-1)
        upto = int_param(request, "upto", -1, minimum=-1)
        limit = int_param(request, "limit", FIRST_PAGE, minimum=1, maximum=MAX_PAGE)
        body: dict = {"settled": True}
        if request.query_params.get("upto") in (None, ""):  # the first page fixes the boundary
            snapshot = selectors.history_snapshot(conversation)
            if snapshot is None:
                return Response({"settled": False})
            upto = snapshot["position"]
            body |= snapshot
            notes = selectors.history_notes(conversation, snapshot["seq"])
            body["notes"] = [event.as_message() for event in notes]
        entries = selectors.entries_between(conversation, after, upto, limit)
        body["entries"] = s.EntryOutput(entries, many=True, context={"request": request}).data
        body["rendered"] = {
            e.remote_id: rendering.markdown_to_html(e.text)
            for e in entries
            if e.type == Entry.Type.MESSAGE_OUTPUT and e.remote_id
        }
        last = entries[-1].position if entries else upto
        body["next"] = last if entries and last < upto else None
        body["upto"] = upto
        return Response(body)
