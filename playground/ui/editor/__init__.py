"""The prompt editor: system prompt, messages, n-shot examples, variables and JSON schema."""

from playground.ui.editor.editor_widget import EditorWidget

__all__ = ["EditorWidget"]
