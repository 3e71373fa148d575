"""The worker's side of a conversation, one module per job:

- `stream`     reads the backend's stream into a recorder, in batches, honouring Cancel
- `recorder`   events → the log (through the flusher) and entries (through the projection)
- `lifecycle`  a turn's life: claim, heartbeat, sync, stream, how it ends; the chain of turns
- `followups`  function calls (registered ones run here) and client-mode handoffs → pending
- `files`      tool files downloaded and stored
- `recovery`   stale turns reconciled from the backend's history; forgotten turns found
- `flusher`    the process's group commit of many turns' events and entries

Layers: the event log's writer (`conversations.eventlog`) and the channel-layer publisher
(`conversations.publisher`) are the floor that the services (and so the web side) write through,
outside this package so that no import circle joins it and the services; the modules here sit
above the services and make every write by calling them.
"""
