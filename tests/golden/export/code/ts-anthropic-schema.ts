// Runs the prompt "Grader" (content 538031922652) on "anthropic:claude-haiku-4-5".
// Exported by Prompt Playground.
//
// To run it (Node 20 or later):
//   npm install @anthropic-ai/sdk
//   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
//   ANTHROPIC_BASE_URL may name another server (the default is below)
//   npx tsx Grader.ts

import Anthropic from "@anthropic-ai/sdk";

const MODEL = "claude-haiku-4-5";

/** The system prompt, and the messages: the examples as turns, then the conversation. */
export function buildPrompt(): { system: string; messages: Anthropic.MessageParam[] } {
  // The variable values, as they were in the playground.
  const answer = "42";
  const system = "Grade the answer.";
  const messages: Anthropic.MessageParam[] = [
    { role: "user", content: `Answer: ${answer}` },
  ];
  return { system, messages };
}

async function main(): Promise<void> {
  const { system, messages } = buildPrompt();
  const client = new Anthropic({
    baseURL: process.env["ANTHROPIC_BASE_URL"] ?? "https://api.anthropic.com",
    apiKey: requireEnv("ANTHROPIC_API_KEY"),
  });
  const message = await client.messages.create({
    model: MODEL,
    system,
    messages,
    // Anthropic requires a limit; the target sets none, so 1024 is used.
    max_tokens: 1024,
    tools: [
      {
        name: "respond",
        description: "Give the answer, as JSON that follows this schema.",
        input_schema: {
          type: "object",
          additionalProperties: false,
          properties: {
            answer: {
              type: "string"
            },
            score: {
              type: "integer"
            }
          },
          required: [
            "answer",
            "score"
          ]
        }
      }
    ],
    tool_choice: {
      type: "tool",
      name: "respond"
    },
  });
  // The answer arrives as the input of the forced "respond" tool.
  for (const block of message.content) {
    if (block.type === "tool_use") {
      console.log(JSON.stringify(block.input));
    }
  }
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`Set the environment variable ${name} to your API key.`);
  }
  return value;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
