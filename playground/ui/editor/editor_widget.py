"""The prompt editor: system prompt and messages on top, examples, variables and schema below.

The editor holds a :class:`PromptDocument` as widgets and gives it back with
:meth:`EditorWidget.document`. Checks that parse templates (syntax problems,
the variables form, token estimates) run on a short single-shot timer after
the last edit, never per keystroke, and template analysis is remembered
field by field (``analysis.TemplateAnalysis``), so one edit re-parses only
the field it changed.

Variable values typed in the form are the variables' samples in
``document()``, so a draft remembers them. Values are remembered for the
session by name: a variable that disappears from the text while it is being
edited (a half-typed tag makes its field unparsable) gets its value back when
it returns.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.document import PromptDocument, Target, Variable
from playground.core.errors import TemplateProblem
from playground.core.templates import template_fields
from playground.ui.editor.analysis import TemplateAnalysis
from playground.ui.editor.examples import ExamplesSection
from playground.ui.editor.messages import MessagesSection
from playground.ui.editor.schema import SchemaProblem, SchemaSection, check_schema_text
from playground.ui.editor.text_edit import FieldEditor, error_style, plain_text
from playground.ui.editor.variables import VariablesSection
from playground.ui.icons import icon

__all__ = ["CHECK_DELAY_MS", "EditorWidget"]

#: Quiet time after the last edit before templates are checked and tokens counted.
CHECK_DELAY_MS = 150

# How the renderer words a missing value, so the form can point at the variable.
_MISSING = re.compile(r"variable '(\w+)' has no value")


class EditorWidget(QWidget):
    """Edits one prompt document; see the module docstring for how it stays responsive."""

    #: The user changed something (text, order, a value, the schema). Not sent by set_document.
    document_changed = Signal()
    #: (valid, reason): sent when either changes; reason is empty when valid.
    validity_changed = Signal(bool, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("promptEditor")
        self._base = PromptDocument(name="")
        # Every variable seen this session, in first-seen order: the "declared"
        # list handed to sync_variables, so samples and descriptions survive.
        self._known: dict[str, Variable] = {}
        self._analysis = TemplateAnalysis()
        self._sync_key: PromptDocument | None = None
        self._sync_value: tuple[Variable, ...] = ()
        self._syntax: list[TemplateProblem] = []
        self._shown: list[TemplateProblem] = []  # render-time problems from show_problems
        self._schema_problem: SchemaProblem | None = None
        self._valid = True
        self._reason = ""
        self._tokens = (0, 0)
        self._loading = False

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

        self._build()
        self._refresh()

    # ------------------------------------------------------------ layout

    def _build(self) -> None:
        self.system = FieldEditor("system", min_lines=3, max_lines=20)
        self.system.edit.setPlaceholderText(
            "System prompt: who the model is and how it should answer."
        )
        self.system.edit.setAccessibleName("System prompt")
        self.messages = MessagesSection()
        self.messages.setObjectName("messagesSection")
        self.messages.focus_before = self.system.edit

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(_heading("System"))
        column.addWidget(self.system)
        column.addSpacing(6)
        column.addWidget(_heading("Messages"))
        column.addWidget(self.messages)
        column.addStretch(1)
        self.template_scroll = QScrollArea()
        self.template_scroll.setObjectName("templateScroll")
        self.template_scroll.setWidgetResizable(True)
        self.template_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.template_scroll.setWidget(body)

        self.variables = VariablesSection()
        self.examples = ExamplesSection()
        self.examples.setObjectName("examplesSection")
        self.schema = SchemaSection()
        self.schema.setObjectName("schemaSection")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("editorTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.variables, "Variables")
        self.tabs.addTab(self.examples, "Examples")
        self.tabs.addTab(self.schema, "Schema")

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("editorSplitter")
        splitter.addWidget(self.template_scroll)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(True)

        self.token_label = QLabel()
        self.token_label.setObjectName("tokenEstimate")
        self.token_label.setToolTip(
            "A rough estimate (about four characters a token), using the variable values "
            "when the template renders."
        )
        self.other_problems = QLabel()
        self.other_problems.setObjectName("otherProblems")
        self.other_problems.setWordWrap(True)
        self.other_problems.setStyleSheet(error_style(self.palette()))
        self.other_problems.hide()

        footer = QVBoxLayout()
        footer.setContentsMargins(6, 0, 6, 4)
        footer.setSpacing(2)
        footer.addWidget(self.other_problems)
        footer.addWidget(self.token_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(splitter, 1)
        layout.addLayout(footer)

        self.system.edit.textChanged.connect(self._on_system_text_changed)
        self.messages.changed.connect(self._on_messages_changed)
        self.examples.changed.connect(self._on_examples_changed)
        self.variables.value_changed.connect(self._on_variables_value_changed)
        self.schema.changed.connect(self._on_schema_changed)

    # ------------------------------------------------------------ public API

    def set_document(self, doc: PromptDocument) -> None:
        """Load ``doc`` into every part; clears undo history and emits no document_changed."""
        self._timer.stop()
        self._loading = True
        try:
            self._base = doc
            self._known = {v.name: v for v in doc.variables}
            self._sync_key = None
            self._shown = []
            self.variables.clear()
            self.system.edit.setPlainText(doc.system)
            self.messages.set_messages(doc.messages)
            self.examples.model.set_examples(doc.examples)
        finally:
            self._loading = False
        self._refresh()

    def document(self) -> PromptDocument:
        """The document as edited: texts, examples, and the synced variables with form values."""
        base = replace(
            self._base,
            system=plain_text(self.system.edit),
            messages=self.messages.messages(),
            examples=self.examples.model.examples(),
            variables=tuple(self._known.values()),
        )
        return replace(base, variables=self._synced(base))

    def schema_text(self) -> str | None:
        """The JSON schema when "Structured output" is on and the text is not blank.

        A usable schema comes back in canonical form (``Target.schema_text``),
        ready for ``Target.json_schema_text``, so loading a stored schema and
        reading it back gives the same text. A schema with a problem comes back
        as typed (and the editor is invalid).
        """
        text = self.schema.text()
        if text is None or check_schema_text(text) is not None:
            return text
        return Target.schema_text(json.loads(text))

    def set_schema_text(self, text: str | None) -> None:
        """Show ``text`` (one-line JSON is indented); ``None`` turns structured output off."""
        self.schema.set_text(text)
        self._refresh()

    def variable_values(self) -> dict[str, str]:
        """Values from the form for the variables in use; an empty field means no value."""
        return {v.name: v.sample for v in self.document().variables if v.sample is not None}

    def is_valid(self) -> bool:
        self._flush()
        return self._valid

    def invalid_reason(self) -> str:
        self._flush()
        return self._reason

    def show_problems(self, problems: list[TemplateProblem]) -> None:
        """Mark render-time problems inline until the next edit; validity is unchanged."""
        self._flush()
        self._shown = list(problems)
        self._show_all(self.document())

    def focus_first_problem(self) -> None:
        """Move the keyboard focus (and the caret) to the first problem shown."""
        self._flush()
        first = self._syntax[0] if self._syntax else None
        if first is None and self._schema_problem is not None:
            self.tabs.setCurrentWidget(self.schema)
            self.schema.focus_problem()
            return
        if first is None and self._shown:
            first = self._shown[0]
        if first is not None:
            self._focus_problem(first)

    def estimated_tokens(self) -> int:
        """Estimated tokens of the whole request (system, messages, enabled examples)."""
        self._flush()
        return self._tokens[1]

    # ------------------------------------------------------------ edits

    def _edited(self) -> None:
        if self._loading:
            return
        self._shown = []  # render-time problems describe text that has just changed
        self._timer.start()
        self.document_changed.emit()

    def _on_system_text_changed(self) -> None:
        self._edited()

    def _on_messages_changed(self) -> None:
        self._edited()

    def _on_examples_changed(self) -> None:
        self._edited()

    def _on_schema_changed(self) -> None:
        self._edited()

    def _on_variables_value_changed(self, name: str, text: str) -> None:
        if self._loading:
            return
        known = self._known.get(name, Variable(name))
        self._known[name] = replace(known, sample=text or None)
        self._edited()

    def _on_timer_timeout(self) -> None:
        self._refresh()

    # ------------------------------------------------------------ checking

    def _synced(self, base: PromptDocument) -> tuple[Variable, ...]:
        # Parsing every field is the costly part; skip it when nothing changed.
        if self._sync_key != base:
            self._sync_value = self._analysis.variables(base)
            self._sync_key = base
        return self._sync_value

    def _flush(self) -> None:
        if self._timer.isActive():
            self._refresh()

    def _refresh(self) -> None:
        self._timer.stop()
        doc = self.document()
        for v in doc.variables:
            self._known.setdefault(v.name, v)
        self._syntax = self._analysis.problems(doc)
        self._schema_problem = self.schema.problem()
        self._update_variable_rows(doc)
        self._show_all(doc)
        self._update_validity()
        self._update_tokens(doc)

    def _update_variable_rows(self, doc: PromptDocument) -> None:
        names = [v.name for v in doc.variables]
        if self._syntax:
            # A half-typed tag hides the variables of its field; keep their rows
            # until the text parses again, so the form does not jump about.
            shown = list(self.variables.names())
            names = shown + [n for n in names if n not in shown]
        self.variables.show_variables([self._known.get(n, Variable(n)) for n in names])
        count = len(names)
        self.tabs.setTabText(
            self.tabs.indexOf(self.variables), f"Variables ({count})" if count else "Variables"
        )

    def _update_validity(self) -> None:
        if self._syntax:
            valid, reason = False, str(self._syntax[0])
        elif self._schema_problem is not None:
            valid, reason = False, self._schema_problem.message
        else:
            valid, reason = True, ""
        if (valid, reason) != (self._valid, self._reason):
            self._valid, self._reason = valid, reason
            self.validity_changed.emit(valid, reason)

    def _show_all(self, doc: PromptDocument) -> None:
        """Mark every current problem next to its field."""
        problems = self._syntax + [p for p in self._shown if p not in self._syntax]
        places = {f.label: f for f in template_fields(doc, include_disabled=True)}
        system: list[TemplateProblem] = []
        messages: dict[int, list[TemplateProblem]] = {}
        examples: list[TemplateProblem] = []
        cells: dict[tuple[int, str], list[TemplateProblem]] = {}
        other: list[TemplateProblem] = []
        for p in problems:
            place = places.get(p.field)
            if place is None:
                other.append(p)
            elif place.kind == "system":
                system.append(p)
            elif place.kind == "message":
                messages.setdefault(place.index, []).append(p)
            else:
                examples.append(p)
                cells.setdefault((place.index, place.part), []).append(p)
        self.system.show_problems(system)
        self.messages.show_problems(messages)
        self.examples.set_problems(examples, cells)
        missing = {m.group(1) for p in problems if (m := _MISSING.fullmatch(p.message))}
        self.variables.mark_missing(missing)
        self._mark_tab(self.variables, bool(missing))
        self.schema.show_problem(self._schema_problem)
        self.other_problems.setText("\n".join(str(p) for p in other))
        self.other_problems.setVisible(bool(other))
        self._mark_tab(self.examples, bool(examples))
        self._mark_tab(self.schema, self._schema_problem is not None)
        enabled = sum(1 for e in doc.examples if e.enabled)
        total = len(doc.examples)
        self.tabs.setTabText(
            self.tabs.indexOf(self.examples),
            f"Examples ({enabled}/{total})" if enabled != total else f"Examples ({total})",
        )

    def _mark_tab(self, page: QWidget, has_problem: bool) -> None:
        index = self.tabs.indexOf(page)
        self.tabs.setTabIcon(index, icon("error") if has_problem else QIcon())
        self.tabs.setTabToolTip(index, "This tab has a problem" if has_problem else "")

    def _update_tokens(self, doc: PromptDocument) -> None:
        values = {v.name: v.sample for v in doc.variables if v.sample is not None}
        estimate = self._analysis.tokens(doc, values)
        self._tokens = (estimate.examples, estimate.total)
        self.token_label.setText(
            f"≈{estimate.examples:,} tokens in examples · "
            f"≈{estimate.total:,} tokens in the whole request"
        )

    def _focus_problem(self, problem: TemplateProblem) -> None:
        place = next(
            (
                f
                for f in template_fields(self.document(), include_disabled=True)
                if f.label == problem.field
            ),
            None,
        )
        if place is None:
            return
        if place.kind == "system":
            self.template_scroll.ensureWidgetVisible(self.system)
            self.system.focus_problem()
        elif place.kind == "message":
            turns = self.messages.turns()
            if place.index < len(turns):
                self.template_scroll.ensureWidgetVisible(turns[place.index])
                turns[place.index].field.focus_problem()
        else:
            self.tabs.setCurrentWidget(self.examples)
            self.examples.focus_cell(place.index, place.part)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    return label
