"""The worker's side of a conversation, one module per job:

- `stream`     reads the backend's stream into a recorder, in batches, honouring Cancel
- `recorder`   events → the log (through the flusher) and entries (through the projection)
- `lifecycle`  a turn's life: claim, heartbeat, sync, stream, how it ends; the chain of turns
- `followups`  function calls (registered ones run here) and client-mode handoffs → pending
- `files`      tool files downloaded and stored
- `recovery`   stale turns reconciled from the backend's history; forgotten turns found
- `flusher`    the process's group commit of many turns' events and entries
- `log`        the event log's writer: seq allocation, append, publish after commit
- `publisher`  the process's thread that sends to the channel layer

Layers: `log` and `publisher` are the floor that the services (and so the web side) write
through; the other modules sit above the services and make every write by calling them. This
package's `__init__` imports nothing, so importing `log` never pulls in the worker.
"""
