#!/usr/bin/env bash
# Runs the prompt "Checklist" (content 8bd816d0fbda) on "anthropic:claude-haiku-4-5".
# Exported by Prompt Playground.
#
# To run it:
#   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
#   ANTHROPIC_BASE_URL may name another server (the default is below)
#   bash Checklist.sh
#
# The answer streams back as server-sent events, printed as they arrive.
# max_tokens is 1024: Anthropic requires a limit, and the target sets none.
# The variable values are written into the request below.
set -euo pipefail

: "${ANTHROPIC_API_KEY:?Set ANTHROPIC_API_KEY to your API key}"
API_KEY="$ANTHROPIC_API_KEY"
BASE_URL='https://api.anthropic.com'
BASE_URL="${ANTHROPIC_BASE_URL:-$BASE_URL}"

curl --silent --show-error --fail-with-body --no-buffer "$BASE_URL/v1/messages" \
  --header "x-api-key: $API_KEY" \
  --header 'anthropic-version: 2026-10-21' \
  --header 'content-type: application/json' \
  --data-binary @- <<'JSON'
{
  "model": "claude-haiku-4-5",
  "max_tokens": 1024,
  "system": "You write checklists.",
  "messages": [
    {
      "role": "user",
      "content": "Make a checklist for PACKING:\n- socks\n- tent\n- map\n"
    }
  ],
  "stream": true
}
JSON
