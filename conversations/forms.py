"""HTML forms: starting a conversation, answering a pending action, filtering the list."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from conversations.models import HandoffExecution, Status
from workspaces import jsonbody


class StartForm(forms.Form):
    agent = forms.ModelChoiceField(queryset=None, label="Agent", empty_label=None)
    message = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}))
    handoff_execution = forms.ChoiceField(
        label="Handoff execution",
        choices=[
            (HandoffExecution.SERVER, "Server: handoffs run on their own"),
            (HandoffExecution.CLIENT, "Client: pause at each handoff for Continue / Stop"),
        ],
        initial=HandoffExecution.SERVER,
        widget=forms.RadioSelect,
    )
    runtime = forms.ChoiceField(
        label="Runtime",
        choices=[
            ("conversations", "Conversations API: Mistral runs the handoffs"),
            ("local", "Local: the worker runs the handoffs on chat completions"),
        ],
        required=False,
        widget=forms.RadioSelect,
    )
    metadata = forms.CharField(
        label="Metadata (JSON object, optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": '{"sandbox_delay_ms": 80}'}),
        help_text="Sent to the backend with the conversation; the sandbox reads knobs from it.",
    )

    def __init__(self, *args, graph, preselect=None, **kwargs):
        super().__init__(*args, **kwargs)
        agents = graph.agents.order_by("name")
        self.fields["agent"].queryset = agents
        self.fields["runtime"].initial = graph.runtime
        if not self.is_bound:
            chosen = str(preselect or "")
            known = {str(pk) for pk in agents.values_list("pk", flat=True)}
            self.fields["agent"].initial = chosen if chosen in known else graph.entry_agent_id

    def clean_metadata(self):
        raw = self.cleaned_data["metadata"].strip()
        if not raw:
            return None
        try:
            value = jsonbody.loads(raw)
        except jsonbody.JSONBodyError as exc:
            raise forms.ValidationError(str(exc)) from None
        if not isinstance(value, dict):
            raise forms.ValidationError('Give a JSON object, like {"key": "value"}.')
        return value


class ResolveForm(forms.Form):
    result = forms.CharField(
        label="Result", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    format = forms.ChoiceField(
        label="Answer as", choices=[("text", "Text"), ("json", "JSON")], initial="text",
        required=False,
    )  # fmt: skip
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            ("continue", "Continue"),
            ("stop", "Stop"),
            ("approve", "Approve"),
            ("reject", "Reject"),
        ],  # fmt: skip
        required=False,
    )
    allow_empty = forms.BooleanField(label="Send an empty result", required=False)

    def __init__(self, *args, kind: str = "function_call", **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean(self):
        data = super().clean()
        if (
            self.kind == "function_call"
            and not (data.get("result") or "").strip()
            and not data.get("allow_empty")
        ):
            self.add_error(
                "result", 'The result is empty. Tick "Send an empty result" to send it anyway.'
            )
        if data.get("format") == "json" and data.get("result"):
            try:
                jsonbody.loads(data["result"])
            except jsonbody.JSONBodyError as exc:
                self.add_error("result", str(exc))
        return data


class ConversationFilterForm(forms.Form):
    q = forms.CharField(label="Search text", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *[(s.value, s.label) for s in Status]],
    )
    graph = forms.ChoiceField(label="Graph", required=False)
    agent = forms.ChoiceField(label="Agent", required=False)
    started_by = forms.ChoiceField(label="Started by", required=False)
    date_from = forms.DateField(
        label="From date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, graphs, agents, user_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["graph"].choices = [("", "Any graph")] + [
            (str(g.pk), f"{g.name} ({g.workspace.name})") for g in graphs
        ]
        self.fields["agent"].choices = [("", "Any agent")] + [
            (str(a.pk), f"{a.name} ({a.graph.name})") for a in agents
        ]
        users = get_user_model().objects.filter(pk__in=user_ids).order_by("username")
        self.fields["started_by"].choices = [("", "Anyone")] + [
            (str(u.pk), u.get_username()) for u in users
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data
