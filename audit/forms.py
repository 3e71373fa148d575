from django import forms

from audit.models import Action, Outcome


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150)
    action = forms.ChoiceField(required=False, choices=[("", "any action"), *Action.choices])
    object_type = forms.CharField(required=False, max_length=32, label="Object type")
    outcome = forms.ChoiceField(required=False, choices=[("", "any outcome"), *Outcome.choices])
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "Must not be before the start date.")
        return data
