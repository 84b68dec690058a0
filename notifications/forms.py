from django import forms

from .models import Preferences


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = Preferences
        fields = ["reply_email", "moderation_email"]
        widgets = {"reply_email": forms.RadioSelect}
