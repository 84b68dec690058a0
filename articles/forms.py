from django import forms

from .images import check_upload
from .models import Article

SEARCH_MAX_LENGTH = 200


class LeadImageField(forms.ImageField):
    def to_python(self, data):
        if data not in self.empty_values:
            # Our checks first: they refuse an image bomb from its header before
            # anything (ours or Django's check below) decodes the picture.
            check_upload(data)
        return super().to_python(data)


class ArticleAdminForm(forms.ModelForm):
    substantive_update = forms.BooleanField(
        required=False,
        label="Substantive update",
        help_text="Tick when this change matters to readers: the article will show “Updated” "
        "with the time of this save.",
    )

    class Meta:
        model = Article
        fields = [
            "title", "slug", "section", "authors", "tags", "standfirst", "body",
            "lead_image", "lead_image_alt", "lead_image_caption", "lead_image_credit",
            "status", "published_at", "comments_enabled",
        ]  # fmt: skip
        field_classes = {"lead_image": LeadImageField}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("lead_image") and not cleaned.get("lead_image_alt"):
            self.add_error("lead_image_alt", "Describe the picture for readers who cannot see it.")
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(label="Search articles", required=False, strip=True)

    def clean_q(self):
        # Long pasted text is cut rather than refused; the search still runs.
        return " ".join(self.cleaned_data["q"].split())[:SEARCH_MAX_LENGTH]
