#!/usr/bin/env bash
# Runs the prompt "Grader" (content 538031922652) on "openai:gpt-4.1-mini".
# Exported by Prompt Playground.
#
# To run it:
#   export OPENAI_API_KEY=...    # your API key; never write it into this file
#   OPENAI_BASE_URL may name another server (the default is below)
#   bash Grader.sh
#
# The answer streams back as server-sent events, printed as they arrive.
# The variable values are written into the request below.
set -euo pipefail

: "${OPENAI_API_KEY:?Set OPENAI_API_KEY to your API key}"
API_KEY="$OPENAI_API_KEY"
BASE_URL='https://api.openai.com/v1'
BASE_URL="${OPENAI_BASE_URL:-$BASE_URL}"

curl --silent --show-error --fail-with-body --no-buffer "$BASE_URL/chat/completions" \
  --header "Authorization: Bearer $API_KEY" \
  --header 'content-type: application/json' \
  --data-binary @- <<'JSON'
{
  "model": "gpt-4.1-mini",
  "messages": [
    {
      "role": "system",
      "content": "Grade the answer."
    },
    {
      "role": "user",
      "content": "Answer: 42"
    }
  ],
  "response_format": {
    "type": "json_schema",
    "json_schema": {
      "name": "response",
      "schema": {
        "additionalProperties": false,
        "properties": {
          "answer": {
            "type": "string"
          },
          "score": {
            "type": "integer"
          }
        },
        "required": [
          "answer",
          "score"
        ],
        "type": "object"
      },
      "strict": true
    }
  },
  "stream": true
}
JSON
