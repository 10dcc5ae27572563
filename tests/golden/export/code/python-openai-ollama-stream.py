# Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "ollama:llama3.2".
# Exported by Prompt Playground.
#
# To run it:
#   pip install openai
#   OLLAMA_API_KEY may hold a key; this server needs none
#   OLLAMA_BASE_URL may name another server (the default is below)
#   python Explain-like-a-friend.py

import os

from openai import OpenAI

MODEL = "llama3.2"


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
        base_url=os.environ.get("OLLAMA_BASE_URL", "http://localhost:11434/v1"),
        # The server needs no key, but the SDK wants one: any text will do.
        api_key=os.environ.get("OLLAMA_API_KEY", "unused"),
    )
    stream = client.chat.completions.create(
        model=MODEL,
        messages=build_messages(),
        temperature=0.5,
        max_tokens=50,
        stream=True,
    )
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            print(chunk.choices[0].delta.content, end="", flush=True)
    print()


if __name__ == "__main__":
    main()
