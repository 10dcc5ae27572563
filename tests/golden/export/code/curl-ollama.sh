#!/usr/bin/env bash
# Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "ollama:llama3.2".
# Exported by Prompt Playground.
#
# To run it:
#   OLLAMA_API_KEY may hold a key; this server needs none
#   OLLAMA_BASE_URL may name another server (the default is below)
#   bash Explain-like-a-friend.sh
#
# It prints the whole JSON response; add | jq -r '.choices[0].message.content' for the text alone.
# The variable values are written into the request below.
set -euo pipefail

# The server needs no key; any text will do.
API_KEY="${OLLAMA_API_KEY:-unused}"
BASE_URL='http://localhost:11434/v1'
BASE_URL="${OLLAMA_BASE_URL:-$BASE_URL}"

curl --silent --show-error --fail-with-body "$BASE_URL/chat/completions" \
  --header "Authorization: Bearer $API_KEY" \
  --header 'content-type: application/json' \
  --data-binary @- <<'JSON'
{
  "model": "llama3.2",
  "messages": [
    {
      "role": "system",
      "content": "You explain tides to a child.\nKeep it under 3 sentences; no \"jargon\"."
    },
    {
      "role": "user",
      "content": "Explain childs."
    },
    {
      "role": "assistant",
      "content": "They are people who listen."
    },
    {
      "role": "user",
      "content": "What is tides? Braces {stay} as they are."
    },
    {
      "role": "assistant",
      "content": "Happy to help."
    },
    {
      "role": "user",
      "content": "Go on: tides \\ `tick` ${not_a_var} '''"
    }
  ],
  "temperature": 0.5,
  "max_tokens": 50
}
JSON
echo
