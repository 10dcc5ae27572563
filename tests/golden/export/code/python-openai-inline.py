# Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "openai:gpt-4.1-mini".
# Exported by Prompt Playground.
#
# To run it:
#   pip install openai
#   export OPENAI_API_KEY=...    # your API key; never write it into this file
#   OPENAI_BASE_URL may name another server (the default is below)
#   python Explain-like-a-friend.py

import os

from openai import OpenAI

MODEL = "gpt-4.1-mini"


def build_messages() -> list[dict[str, str]]:
    """The request's messages: the system prompt, the examples as turns, the conversation."""
    # The variable values, as they were in the playground.
    values: dict[str, str] = {
        "topic": "tides",
        "audience": "child",
    }
    system = (
        "You explain {topic} to a {audience}.\n"
        "Keep it under 3 sentences; no \"jargon\"."
    ).format(**values)
    messages = [
        {"role": "user", "content": "Explain {audience}s.".format(**values)},
        {"role": "assistant", "content": "They are people who listen."},
        {"role": "user", "content": "What is {topic}? Braces {{stay}} as they are.".format(**values)},
        {"role": "assistant", "content": "Happy to help."},
        {"role": "user", "content": "Go on: {topic} \\ `tick` ${{not_a_var}} '''".format(**values)},
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
        temperature=0.3,
        top_p=0.9,
        max_completion_tokens=200,
        stop=[
            "END",
        ],
        seed=7,
    )
    message = completion.choices[0].message
    # A refusal comes instead of the content; show it rather than nothing.
    print(message.content or message.refusal or "")


if __name__ == "__main__":
    main()
