from django import template

from ..forms import PreferencesForm
from ..models import Preferences

register = template.Library()


@register.inclusion_tag("notifications/_preferences.html", takes_context=True)
def notification_preferences(context):
    """The reader's notification choices, as a form, for their settings page."""
    user = context["request"].user
    return {
        "form": PreferencesForm(instance=Preferences.of(user)),
        "csrf_token": context.get("csrf_token"),
    }
