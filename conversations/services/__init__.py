"""Every write on conversations, by job: `conversations` (start, follow-up, cancel), `status`
(compare-and-set status changes), `pending` (pending actions recorded and answered), `turns`
(the worker's turn lifecycle and recovery), `files`, `sync` (a person's sync), and `common` (the
rows they share). Views, the API, admin, consumers and the worker call these; the names below
are the ones the web side uses.

Status changes are compare-and-set (`filter(status__in=expected).update(...)`), each recorded as a
`conversation.status` event and a feed notice in the same transaction. Turns are enqueued on
commit through `conversations.queue`; nothing here imports the tasks or the engine's worker side.
"""

from conversations.services.conversations import (
    MAX_INPUT_CHARS,
    conversation_cancel,
    conversation_send_message,
    conversation_start,
)
from conversations.services.files import file_download
from conversations.services.pending import MAX_RESULT_CHARS, pending_resolve
from conversations.services.status import FINAL_STATUSES, conversation_set_status, status_data
from conversations.services.sync import graph_sync_requested

__all__ = [
    "FINAL_STATUSES",
    "MAX_INPUT_CHARS",
    "MAX_RESULT_CHARS",
    "conversation_cancel",
    "conversation_send_message",
    "conversation_set_status",
    "conversation_start",
    "file_download",
    "graph_sync_requested",
    "pending_resolve",
    "status_data",
]
