# Runs the prompt "Checklist" (content 8bd816d0fbda) on "openai:gpt-4.1-mini".
# Exported by Prompt Playground.
#
# To run it:
#   pip install openai jinja2
#   export OPENAI_API_KEY=...    # your API key; never write it into this file
#   OPENAI_BASE_URL may name another server (the default is below)
#   python Checklist.py --help

import argparse
import os

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment
from openai import OpenAI

MODEL = "gpt-4.1-mini"


# The prompt uses Jinja logic, so jinja2 renders it here as the playground does:
# sandboxed, and a variable without a value is an error.
_JINJA = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)


def render(template: str, values: dict[str, str]) -> str:
    return _JINJA.from_string(template).render(values)


def build_messages(*, strict: str | None = None, task: str, steps: str) -> list[dict[str, str]]:
    """The request's messages: the system prompt, the examples as turns, the conversation."""
    values: dict[str, str] = {
        "task": task,
        "steps": steps,
    }
    if strict is not None:
        values["strict"] = strict
    system = render("You write checklists.{% if strict is defined %} Be strict.{% endif %}", values)
    messages = [
        {"role": "user", "content": render((
            "Make a checklist for {{ task | upper }}:\n"
            "{% for step in steps.split(',') %}- {{ step | trim }}\n"
            "{% endfor %}"
        ), values)},
    ]
    return [{"role": "system", "content": system}, *messages]


def main() -> None:
    parser = argparse.ArgumentParser(description="Runs the prompt Checklist")
    parser.add_argument(
        "--strict",
        dest="strict",
    )
    parser.add_argument(
        "--task",
        dest="task",
        default="packing",
    )
    parser.add_argument(
        "--steps",
        dest="steps",
        default="socks, tent,map",
    )
    args = parser.parse_args()
    client = OpenAI(
        base_url=os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
        api_key=os.environ["OPENAI_API_KEY"],
    )
    completion = client.chat.completions.create(
        model=MODEL,
        messages=build_messages(strict=args.strict, task=args.task, steps=args.steps),
    )
    message = completion.choices[0].message
    # A refusal comes instead of the content; show it rather than nothing.
    print(message.content or message.refusal or "")


if __name__ == "__main__":
    main()
