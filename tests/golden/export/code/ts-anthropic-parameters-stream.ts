// Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "anthropic:claude-haiku-4-5".
// Exported by Prompt Playground.
//
// To run it (Node 20 or later):
//   npm install @anthropic-ai/sdk
//   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
//   ANTHROPIC_BASE_URL may name another server (the default is below)
//   npx tsx Explain-like-a-friend.ts --help

import { parseArgs } from "node:util";
import Anthropic from "@anthropic-ai/sdk";

const MODEL = "claude-haiku-4-5";

/** The system prompt, and the messages: the examples as turns, then the conversation. */
export function buildPrompt(topic: string, audience: string): { system: string; messages: Anthropic.MessageParam[] } {
  const system = (
    `You explain ${topic} to a ${audience}.\n` +
    `Keep it under 3 sentences; no "jargon".`
  );
  const messages: Anthropic.MessageParam[] = [
    { role: "user", content: `Explain ${audience}s.` },
    { role: "assistant", content: "They are people who listen." },
    { role: "user", content: `What is ${topic}? Braces {stay} as they are.` },
    { role: "assistant", content: "Happy to help." },
    { role: "user", content: `Go on: ${topic} \\ \`tick\` \${not_a_var} '''` },
  ];
  return { system, messages };
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
  const { system, messages } = buildPrompt(args["topic"] ?? "tides", args["audience"] ?? "child");
  const client = new Anthropic({
    baseURL: process.env["ANTHROPIC_BASE_URL"] ?? "https://api.anthropic.com",
    apiKey: requireEnv("ANTHROPIC_API_KEY"),
  });
  const stream = await client.messages.create({
    model: MODEL,
    system,
    messages,
    max_tokens: 300,
    stop_sequences: [
      "END"
    ],
    stream: true,
  });
  for await (const event of stream) {
    if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
      process.stdout.write(event.delta.text);
    }
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
