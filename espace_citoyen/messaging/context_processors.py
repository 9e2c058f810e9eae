"""`messaging_unread_count` in every template: the unread messages of the logged-in user,
for the space's link in the site header. Lazy: computed (at most two queries) only when a
template uses it, never for anonymous visitors."""

from . import selectors


class _UnreadCount:
    """Called by the template engine when the variable is used; computed once."""

    def __init__(self, user):
        self._user = user
        self._value = None

    def __call__(self) -> int:
        if self._value is None:
            self._value = selectors.unread_count_for(user=self._user)
        return self._value


def unread_messages(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"messaging_unread_count": _UnreadCount(user)}
