// Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "anthropic:claude-haiku-4-5".
// Exported by Prompt Playground.
//
// To run it (Node 20 or later):
//   npm install @anthropic-ai/sdk
//   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
//   ANTHROPIC_BASE_URL may name another server (the default is below)
//   npx tsx Explain-like-a-friend.ts

import Anthropic from "@anthropic-ai/sdk";

const MODEL = "claude-haiku-4-5";

/** The system prompt, and the messages: the examples as turns, then the conversation. */
export function buildPrompt(): { system: string; messages: Anthropic.MessageParam[] } {
  // The variable values, as they were in the playground.
  const topic = "tides";
  const audience = "child";
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
  const { system, messages } = buildPrompt();
  const client = new Anthropic({
    baseURL: process.env["ANTHROPIC_BASE_URL"] ?? "https://api.anthropic.com",
    apiKey: requireEnv("ANTHROPIC_API_KEY"),
  });
  const message = await client.messages.create({
    model: MODEL,
    system,
    messages,
    max_tokens: 300,
    stop_sequences: [
      "END"
    ],
  });
  console.log(message.content.map((block) => (block.type === "text" ? block.text : "")).join(""));
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
