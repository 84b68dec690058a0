from django import forms

from .. import moderation
from ..models import Ban, Comment


class HideForm(forms.Form):
    required_css_class = "required"  # bold labels, as the admin's own forms have
    # No reason is preselected: a moderator must choose one.
    reason = forms.ChoiceField(
        choices=[("", "Reason…"), *Comment.HideReason.choices],
        error_messages={"required": "Choose a reason to hide a comment."},
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
        help_text="Optional. The author sees the reason; the note is for moderators.",
    )  # fmt: skip


class BanForm(forms.Form):
    required_css_class = "required"
    DURATIONS = [
        ("1", "1 day"),
        ("7", "7 days"),
        ("30", "30 days"),
        ("365", "1 year"),
        ("0", "Permanent"),
    ]

    duration = forms.ChoiceField(choices=DURATIONS, initial="7", widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text="Recorded in the audit log.",
    )  # fmt: skip
    hide_comments = forms.BooleanField(
        required=False, label="Also hide all their visible comments now"
    )

    @property
    def days(self) -> int | None:
        return int(self.cleaned_data["duration"]) or None

    def ban(self, *, user, moderator) -> Ban:
        """Ban `user` as the valid form says; raises ValueError as moderation.ban() does."""
        return moderation.ban(
            user=user, moderator=moderator, reason=self.cleaned_data["reason"],
            days=self.days, hide_comments=self.cleaned_data["hide_comments"],
        )  # fmt: skip


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Private note", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
