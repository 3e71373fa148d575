"""Django's ASGI handler, with each request's sync code on a thread that outlives the request.

Django runs a request's sync parts (middleware, views, the ORM) in a `ThreadSensitiveContext`,
for which asgiref starts a new thread per request; a thread-local database connection then
cannot outlive the request either, so every request also opened and closed a connection. Those
two were a tenth of the web process's CPU while a hundred conversations started. Here a request
borrows a one-thread executor from an idle list and gives it back: the thread, and with
`CONN_MAX_AGE` its connection, serve request after request, as under a threaded WSGI server.
Concurrency is unchanged: a request that finds no idle executor gets a new one.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler

# Executors kept for reuse; more requests at once still each get one, but only this many wait.
MAX_IDLE = 32


class PooledThreadASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.idle: list[ThreadPoolExecutor] = []
        self.created = 0  # for tests: how many request threads were ever started

    def _borrow(self) -> ThreadPoolExecutor:
        if self.idle:
            return self.idle.pop()
        self.created += 1
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="django-request")

    def _give_back(self, executor: ThreadPoolExecutor) -> None:
        if len(self.idle) < MAX_IDLE:
            self.idle.append(executor)
        else:
            executor.shutdown(wait=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)  # Django's own error
        executor = self._borrow()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self._give_back(executor)


def get_asgi_application() -> PooledThreadASGIHandler:
    """`django.core.asgi.get_asgi_application`, with the pooled handler."""
    import django

    django.setup(set_prefix=False)
    return PooledThreadASGIHandler()
