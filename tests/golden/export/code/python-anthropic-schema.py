# Runs the prompt "Grader" (content 538031922652) on "anthropic:claude-haiku-4-5".
# Exported by Prompt Playground.
#
# To run it:
#   pip install anthropic
#   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
#   ANTHROPIC_BASE_URL may name another server (the default is below)
#   python Grader.py

import json
import os

import anthropic

MODEL = "claude-haiku-4-5"


def build_prompt() -> tuple[str, list[dict[str, str]]]:
    """The system prompt, and the messages: the examples as turns, then the conversation."""
    # The variable values, as they were in the playground.
    values: dict[str, str] = {
        "answer": "42",
    }
    system = "Grade the answer."
    messages = [
        {"role": "user", "content": "Answer: {answer}".format(**values)},
    ]
    return system, messages


def main() -> None:
    system, messages = build_prompt()
    client = anthropic.Anthropic(
        base_url=os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
        api_key=os.environ["ANTHROPIC_API_KEY"],
    )
    message = client.messages.create(
        model=MODEL,
        system=system,
        messages=messages,
        # Anthropic requires a limit; the target sets none, so 1024 is used.
        max_tokens=1024,
        tools=[
            {
                "name": "respond",
                "description": "Give the answer, as JSON that follows this schema.",
                "input_schema": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "answer": {
                            "type": "string",
                        },
                        "score": {
                            "type": "integer",
                        },
                    },
                    "required": [
                        "answer",
                        "score",
                    ],
                },
            },
        ],
        tool_choice={
            "type": "tool",
            "name": "respond",
        },
    )
    # The answer arrives as the input of the forced "respond" tool.
    answer = next(block.input for block in message.content if block.type == "tool_use")
    print(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    main()
