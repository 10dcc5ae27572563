#!/usr/bin/env bash
# Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "anthropic:claude-haiku-4-5".
# Exported by Prompt Playground.
#
# To run it:
#   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
#   ANTHROPIC_BASE_URL may name another server (the default is below)
#   bash Explain-like-a-friend.sh
#
# It prints the whole JSON response; add | jq -r '.content[0].text' for the text alone.
# The variable values are written into the request below.
set -euo pipefail

: "${ANTHROPIC_API_KEY:?Set ANTHROPIC_API_KEY to your API key}"
API_KEY="$ANTHROPIC_API_KEY"
BASE_URL='https://api.anthropic.com'
BASE_URL="${ANTHROPIC_BASE_URL:-$BASE_URL}"

curl --silent --show-error --fail-with-body "$BASE_URL/v1/messages" \
  --header "x-api-key: $API_KEY" \
  --header 'anthropic-version: 2026-10-21' \
  --header 'content-type: application/json' \
  --data-binary @- <<'JSON'
{
  "model": "claude-haiku-4-5",
  "max_tokens": 300,
  "system": "You explain tides to a child.\nKeep it under 3 sentences; no \"jargon\".\n\nExamples:\n\n<example>\n<input>\nExplain childs.\n</input>\n<output>\nThey are people who listen.\n</output>\n</example>",
  "messages": [
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
  "stop_sequences": [
    "END"
  ]
}
JSON
echo
