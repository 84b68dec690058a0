from django import forms
from django.conf import settings

from accounts import identity

from . import text
from .models import Comment, Report


class CommentBodyForm(forms.ModelForm):
    """The rules for what a reader may write, shared by new comments and edits."""

    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Your comment"}
        error_messages = {"body": {"required": "Please write something before posting."}}
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Checked in clean_body, so the browser's limit is a convenience, not the rule.
        self.fields["body"].widget.attrs["maxlength"] = settings.COMMENTS_MAX_LENGTH
        self.fields["body"].strip = False

    def clean_body(self):
        body = text.normalise(self.cleaned_data.get("body", ""))
        if identity.is_blank(body):  # a zero-width space is not a comment
            raise forms.ValidationError("Please write something before posting.")
        if text.has_control_characters(body):
            raise forms.ValidationError(
                "Your comment contains invisible control characters; please remove them."
            )
        limit = settings.COMMENTS_MAX_LENGTH
        if len(body) > limit:
            raise forms.ValidationError(
                f"Comments can be at most {limit:,} characters (this one has {len(body):,})."
            )
        return body


class CommentForm(CommentBodyForm):
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, article, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.author = author

    def clean_parent(self):
        parent_id = self.cleaned_data.get("parent")
        if parent_id is None:
            return None
        parent = (
            Comment.objects.visible().for_article(self.article).filter(pk=parent_id).first()
            if 0 < parent_id < 2**63
            else None
        )
        if parent is None:
            raise forms.ValidationError(
                "The comment you are replying to is not available any more."
            )
        return parent

    def clean(self):
        cleaned = super().clean()
        if not self.article.comments_open:
            raise forms.ValidationError("Comments are closed on this article.")
        return cleaned


class EditCommentForm(CommentBodyForm):
    """The author's rewrite of their comment."""


class ReportForm(forms.ModelForm):
    # Only the real reasons: no blank "---------" choice for the reader to send by mistake.
    reason = forms.ChoiceField(
        label="Why should moderators look at this comment?",
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why moderators should look at this comment."},
    )

    class Meta:
        model = Report
        fields = ["reason", "note"]
        labels = {"note": "Anything to add? (optional)"}
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        }

    def clean_note(self):
        note = text.normalise(self.cleaned_data.get("note", ""))
        if identity.is_blank(note):
            note = ""
        if text.has_control_characters(note):
            raise forms.ValidationError("The note contains invisible control characters.")
        return note
