"""The Mistral API (or the sandbox that stands in for it): the only importer of `mistralai`.

`backend` is the adapter the engine streams through, `sync` pushes graphs as remote agents and
repairs drift, `models.RemoteAgent` records what each agent looks like on each backend."""
