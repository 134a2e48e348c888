"""Form rendering with NL Design System classes.

Every Django widget is rendered through this renderer, which adds the Utrecht component
library's class for its kind of control. Forms therefore need no per-field ``attrs`` for
styling, and a new form looks like the rest of the app without extra work.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates

_TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"

# Keyed by the widget template's file name (Django's ``django/forms/widgets/<name>.html``).
WIDGET_CLASSES: dict[str, str] = {
    "text": _TEXTBOX,
    "email": _TEXTBOX,
    "password": _TEXTBOX,
    "number": f"{_TEXTBOX} utrecht-textbox--numeric",
    "date": _TEXTBOX,
    "url": _TEXTBOX,
    "textarea": "utrecht-textarea utrecht-textarea--html-textarea",
    "select": "utrecht-select utrecht-select--html-select",
    "checkbox": "utrecht-checkbox utrecht-checkbox--html-input",
}
# Multiple-choice widgets render one input per option; the class goes on each option.
OPTION_CLASSES: dict[str, str] = {
    "checkbox_select": "utrecht-checkbox utrecht-checkbox--html-input",
    "radio": "utrecht-radio-button utrecht-radio-button--html-input",
}


def _with_class(attrs: dict[str, Any], css: str) -> dict[str, Any]:
    existing = attrs.get("class", "")
    return {**attrs, "class": f"{css} {existing}".strip()}


class NLDesignSystemFormRenderer(DjangoTemplates):
    """Django's default form renderer, plus NL Design System classes on every control."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and template_name.startswith("django/forms/widgets/"):
            kind = template_name.rsplit("/", 1)[-1].removesuffix(".html")
            if kind in WIDGET_CLASSES:
                widget["attrs"] = _with_class(widget["attrs"], WIDGET_CLASSES[kind])
            elif kind in OPTION_CLASSES:
                for _group, options, _index in widget.get("optgroups", []):
                    for option in options:
                        option["attrs"] = _with_class(option["attrs"], OPTION_CLASSES[kind])
        return super().render(template_name, context, request=request)
