// Runs the prompt "Explain like a friend" (content d3a9047f8b23) on "ollama:llama3.2".
// Exported by Prompt Playground.
//
// To run it (Node 20 or later):
//   npm install openai
//   OLLAMA_API_KEY may hold a key; this server needs none
//   OLLAMA_BASE_URL may name another server (the default is below)
//   npx tsx Explain-like-a-friend.ts

import OpenAI from "openai";

const MODEL = "llama3.2";

/** The request's messages: the system prompt, the examples as turns, the conversation. */
export function buildMessages(): OpenAI.ChatCompletionMessageParam[] {
  // The variable values, as they were in the playground.
  const topic = "tides";
  const audience = "child";
  return [
    { role: "system", content: (
      `You explain ${topic} to a ${audience}.\n` +
      `Keep it under 3 sentences; no "jargon".\n` +
      `\n` +
      `Examples:\n` +
      `\n` +
      `<example>\n` +
      `<input>\n` +
      `Explain ${audience}s.\n` +
      `</input>\n` +
      `<output>\n` +
      `They are people who listen.\n` +
      `</output>\n` +
      `</example>`
    ) },
    { role: "user", content: `What is ${topic}? Braces {stay} as they are.` },
    { role: "assistant", content: "Happy to help." },
    { role: "user", content: `Go on: ${topic} \\ \`tick\` \${not_a_var} '''` },
  ];
}

async function main(): Promise<void> {
  const client = new OpenAI({
    baseURL: process.env["OLLAMA_BASE_URL"] ?? "http://localhost:11434/v1",
    // The server needs no key, but the SDK wants one: any text will do.
    apiKey: process.env["OLLAMA_API_KEY"] ?? "unused",
  });
  const completion = await client.chat.completions.create({
    model: MODEL,
    messages: buildMessages(),
    temperature: 0.5,
    max_tokens: 50,
  });
  const message = completion.choices[0]?.message;
  // A refusal comes instead of the content; show it rather than nothing.
  console.log(message?.content ?? message?.refusal ?? "");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
