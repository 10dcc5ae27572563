# Runs the prompt "Grader" (content 538031922652) on "openai:gpt-4.1-mini".
# Exported by Prompt Playground.
#
# To run it:
#   pip install openai
#   export OPENAI_API_KEY=...    # your API key; never write it into this file
#   OPENAI_BASE_URL may name another server (the default is below)
#   python Grader.py

import os

from openai import OpenAI

MODEL = "gpt-4.1-mini"


def build_messages() -> list[dict[str, str]]:
    """The request's messages: the system prompt, the examples as turns, the conversation."""
    # The variable values, as they were in the playground.
    values: dict[str, str] = {
        "answer": "42",
    }
    system = "Grade the answer."
    messages = [
        {"role": "user", "content": "Answer: {answer}".format(**values)},
    ]
    return [{"role": "system", "content": system}, *messages]


def main() -> None:
    client = OpenAI(
        base_url=os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
        api_key=os.environ["OPENAI_API_KEY"],
    )
    completion = client.chat.completions.create(
        model=MODEL,
        messages=build_messages(),
        response_format={
            "type": "json_schema",
            "json_schema": {
                "name": "response",
                "schema": {
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
                    "type": "object",
                },
                "strict": True,
            },
        },
    )
    message = completion.choices[0].message
    # A refusal comes instead of the content; show it rather than nothing.
    print(message.content or message.refusal or "")


if __name__ == "__main__":
    main()
