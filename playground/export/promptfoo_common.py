"""What the promptfoo exporter and importer must agree on.

The ``defaultTest.metadata`` key that says how many leading turns are n-shot
examples, the name of the forced tool that carries a JSON schema for
Anthropic, and which variables an import declares (the sampled ones, then
those the text uses): the exporter warns when a document's variables would
not come back that way, and the importer builds them by the same rule.
Both :mod:`playground.export.promptfoo` and
:mod:`playground.export.promptfoo_read` import from here, and this module
imports neither, so the imports run one way.
"""

from __future__ import annotations

from playground.core import document, templates
from playground.core.document import PromptDocument, Variable
from playground.core.errors import DocumentError

__all__ = ["EXAMPLE_TURNS", "RESPOND", "declarable", "variables_back"]

#: The ``defaultTest.metadata`` key that records how many leading turns are examples.
EXAMPLE_TURNS = "exampleTurns"
RESPOND = "respond"  # the forced tool that carries a schema for Anthropic, as in the app


def variables_back(doc: PromptDocument) -> tuple[Variable, ...]:
    """The variables an import of ``doc``'s export declares: sampled, then used."""
    sampled = [Variable(v.name, v.sample) for v in doc.variables if v.sample is not None]
    names = {v.name for v in sampled}
    used = [n for n in templates.discover_variables(doc) if n not in names and declarable(n)]
    return tuple(sampled + [Variable(n) for n in used])


def declarable(name: str) -> bool:
    # The native format's own rule for variable names, so an import is always a valid document.
    try:
        document.from_dict({"name": "", "variables": [{"name": name}]})
    except DocumentError:
        return False
    return True
