from django import template

from ..transitions import may_read_returns

register = template.Library()


@register.filter
def reads_returns(user) -> bool:
    """The navigation shows the returns list to who may see returns (R33)."""
    return may_read_returns(user)


@register.simple_tag
def return_state_badge(rq) -> str:
    """The badge of a request's state."""
    from ..views import state_badge

    return state_badge(rq)
