"""Celery tasks of the suites: thin and idempotent. `conversations.queue` sends the settle task
by name when a conversation stops (finished or waiting for input)."""

from celery import shared_task

from evaluations import services

CONVERSATION_SETTLED_TASK = "evaluations.conversation_settled"


@shared_task(name=CONVERSATION_SETTLED_TASK, ignore_result=True)
def conversation_settled(conversation_id: str) -> None:
    services.case_settle(conversation_id=conversation_id)
