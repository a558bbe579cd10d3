"""What the messages framework tells the person after a request."""


def messages_of(response):
    """The (level, text) of each message the response's page shows."""
    return [(m.level, str(m)) for m in response.context["messages"]]
