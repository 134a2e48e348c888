"""Every form control gets its NL Design System class from the project's form renderer."""

from __future__ import annotations

from django import forms


class _Sample(forms.Form):
    name = forms.CharField(widget=forms.TextInput(attrs={"class": "extra"}))
    count = forms.IntegerField()
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    themes = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(widget=forms.Textarea)
    agree = forms.BooleanField()


def test_controls_carry_utrecht_classes_and_keep_their_own() -> None:
    form = _Sample()
    html = {name: str(form[name]) for name in form.fields}
    assert 'class="utrecht-textbox utrecht-textbox--html-input extra"' in html["name"]
    assert "utrecht-textbox--numeric" in html["count"]
    assert 'class="utrecht-select utrecht-select--html-select"' in html["kind"]
    assert html["themes"].count('class="utrecht-checkbox utrecht-checkbox--html-input"') == 2
    assert 'class="utrecht-textarea utrecht-textarea--html-textarea"' in html["notes"]
    assert 'class="utrecht-checkbox utrecht-checkbox--html-input"' in html["agree"]


def test_invalid_controls_are_marked_for_the_invalid_style() -> None:
    form = _Sample(data={})
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["name"])
