# Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "anthropic:claude-haiku-4-5".
# Exported by Prompt Playground.
#
# To run it:
#   pip install anthropic
#   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
#   ANTHROPIC_BASE_URL may name another server (the default is below)
#   python Explain-like-a-friend.py

import os

import anthropic

MODEL = "claude-haiku-4-5"


def build_prompt() -> tuple[str, list[dict[str, str]]]:
    """The system prompt, and the messages: the examples as turns, then the conversation."""
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
        max_tokens=300,
        stop_sequences=[
            "END",
        ],
    )
    print("".join(block.text for block in message.content if block.type == "text"))


if __name__ == "__main__":
    main()
