// Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "openai:gpt-4.1-mini".
// Exported by Prompt Playground.
//
// To run it (Node 20 or later):
//   npm install openai
//   export OPENAI_API_KEY=...    # your API key; never write it into this file
//   OPENAI_BASE_URL may name another server (the default is below)
//   npx tsx Explain-like-a-friend.ts --help

import { parseArgs } from "node:util";
import OpenAI from "openai";

const MODEL = "gpt-4.1-mini";

/** The request's messages: the system prompt, the examples as turns, the conversation. */
export function buildMessages(topic: string, audience: string): OpenAI.ChatCompletionMessageParam[] {
  return [
    { role: "system", content: (
      `You explain ${topic} to a ${audience}.\n` +
      `Keep it under 3 sentences; no "jargon".`
    ) },
    { role: "user", content: `Explain ${audience}s.` },
    { role: "assistant", content: "They are people who listen." },
    { role: "user", content: `What is ${topic}? Braces {stay} as they are.` },
    { role: "assistant", content: "Happy to help." },
    { role: "user", content: `Go on: ${topic} \\ \`tick\` \${not_a_var} '''` },
  ];
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      topic: { type: "string" },
      audience: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (args.help) {
    console.log((
      "Options (each takes a value):\n" +
      "  --topic (default: tides): What to explain\n" +
      "  --audience (default: child): Who listens (50% patience)"
    ));
    return;
  }
  const client = new OpenAI({
    baseURL: process.env["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1",
    apiKey: requireEnv("OPENAI_API_KEY"),
  });
  const stream = await client.chat.completions.create({
    model: MODEL,
    messages: buildMessages(args["topic"] ?? "tides", args["audience"] ?? "child"),
    temperature: 0.3,
    top_p: 0.9,
    max_completion_tokens: 200,
    stop: [
      "END"
    ],
    seed: 7,
    stream: true,
  });
  for await (const chunk of stream) {
    process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
  }
  process.stdout.write("\n");
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
