// Runs the prompt "Grader" (content 538031922652) on "openai:gpt-4.1-mini".
// Exported by Prompt Playground.
//
// To run it (Node 20 or later):
//   npm install openai
//   export OPENAI_API_KEY=...    # your API key; never write it into this file
//   OPENAI_BASE_URL may name another server (the default is below)
//   npx tsx Grader.ts

import OpenAI from "openai";

const MODEL = "gpt-4.1-mini";

/** The request's messages: the system prompt, the examples as turns, the conversation. */
export function buildMessages(): OpenAI.ChatCompletionMessageParam[] {
  // The variable values, as they were in the playground.
  const answer = "42";
  return [
    { role: "system", content: "Grade the answer." },
    { role: "user", content: `Answer: ${answer}` },
  ];
}

async function main(): Promise<void> {
  const client = new OpenAI({
    baseURL: process.env["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1",
    apiKey: requireEnv("OPENAI_API_KEY"),
  });
  const completion = await client.chat.completions.create({
    model: MODEL,
    messages: buildMessages(),
    response_format: {
      type: "json_schema",
      json_schema: {
        name: "response",
        schema: {
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
          ],
          type: "object"
        },
        strict: true
      }
    },
  });
  const message = completion.choices[0]?.message;
  // A refusal comes instead of the content; show it rather than nothing.
  console.log(message?.content ?? message?.refusal ?? "");
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
