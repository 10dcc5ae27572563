# Runs the prompt "Checklist" (content 8bd816d0fbda) on "anthropic:claude-haiku-4-5".
# Exported by Prompt Playground.
#
# To run it:
#   pip install anthropic jinja2
#   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
#   ANTHROPIC_BASE_URL may name another server (the default is below)
#   python Checklist.py

import os

import anthropic
from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

MODEL = "claude-haiku-4-5"


# The prompt uses Jinja logic, so jinja2 renders it here as the playground does:
# sandboxed, and a variable without a value is an error.
_JINJA = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)


def render(template: str, values: dict[str, str]) -> str:
    return _JINJA.from_string(template).render(values)


def build_prompt() -> tuple[str, list[dict[str, str]]]:
    """The system prompt, and the messages: the examples as turns, then the conversation."""
    # The variable values, as they were in the playground.
    values: dict[str, str] = {
        "task": "packing",
        "steps": "socks, tent,map",
    }
    system = render("You write checklists.{% if strict is defined %} Be strict.{% endif %}", values)
    messages = [
        {"role": "user", "content": render((
            "Make a checklist for {{ task | upper }}:\n"
            "{% for step in steps.split(',') %}- {{ step | trim }}\n"
            "{% endfor %}"
        ), values)},
    ]
    return system, messages


def main() -> None:
    system, messages = build_prompt()
    client = anthropic.Anthropic(
        base_url=os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
        api_key=os.environ["ANTHROPIC_API_KEY"],
    )
    stream = client.messages.create(
        model=MODEL,
        system=system,
        messages=messages,
        # Anthropic requires a limit; the target sets none, so 1024 is used.
        max_tokens=1024,
        stream=True,
    )
    for event in stream:
        if event.type == "content_block_delta" and event.delta.type == "text_delta":
            print(event.delta.text, end="", flush=True)
    print()


if __name__ == "__main__":
    main()
