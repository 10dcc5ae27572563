#!/usr/bin/env bash
# Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "openai:gpt-4.1-mini".
# Exported by Prompt Playground.
#
# To run it:
#   export OPENAI_API_KEY=...    # your API key; never write it into this file
#   OPENAI_BASE_URL may name another server (the default is below)
#   bash Explain-like-a-friend.sh
#
# It prints the whole JSON response; add | jq -r '.choices[0].message.content' for the text alone.
# The variable values are written into the request below.
set -euo pipefail

: "${OPENAI_API_KEY:?Set OPENAI_API_KEY to your API key}"
API_KEY="$OPENAI_API_KEY"
BASE_URL='https://api.openai.com/v1'
BASE_URL="${OPENAI_BASE_URL:-$BASE_URL}"

curl --silent --show-error --fail-with-body "$BASE_URL/chat/completions" \
  --header "Authorization: Bearer $API_KEY" \
  --header 'content-type: application/json' \
  --data-binary @- <<'JSON'
{
  "model": "gpt-4.1-mini",
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
  "temperature": 0.3,
  "top_p": 0.9,
  "max_completion_tokens": 200,
  "stop": [
    "END"
  ],
  "seed": 7
}
JSON
echo
