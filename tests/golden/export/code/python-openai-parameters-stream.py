# Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "openai:gpt-4.1-mini".
# Exported by Prompt Playground.
#
# To run it:
#   pip install openai
#   export OPENAI_API_KEY=...    # your API key; never write it into this file
#   OPENAI_BASE_URL may name another server (the default is below)
#   python Explain-like-a-friend.py --help

import argparse
import os

from openai import OpenAI

MODEL = "gpt-4.1-mini"


def build_messages(*, topic: str, audience: str) -> list[dict[str, str]]:
    """The request's messages: the system prompt, the examples as turns, the conversation."""
    values: dict[str, str] = {
        "topic": topic,
        "audience": audience,
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
    parser = argparse.ArgumentParser(description="Runs the prompt Explain like a friend")
    parser.add_argument(
        "--topic",
        dest="topic",
        default="tides",
        help="What to explain",
    )
    parser.add_argument(
        "--audience",
        dest="audience",
        default="child",
        help="Who listens (50%% patience)",
    )
    args = parser.parse_args()
    client = OpenAI(
        base_url=os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
        api_key=os.environ["OPENAI_API_KEY"],
    )
    stream = client.chat.completions.create(
        model=MODEL,
        messages=build_messages(topic=args.topic, audience=args.audience),
        temperature=0.3,
        top_p=0.9,
        max_completion_tokens=200,
        stop=[
            "END",
        ],
        seed=7,
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
    print()


if __name__ == "__main__":
    main()
