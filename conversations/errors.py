class ConversationError(Exception):
    """A request the conversation's state refuses; `field` names the input at fault, if any."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_body(self) -> dict:
        return {self.field: [self.message]} if self.field else {"detail": self.message}


class ConversationConflict(ConversationError):
    """The state moved on (already answered, still running): 409."""

    status_code = 409
