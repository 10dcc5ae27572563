// Runs the prompt "Checklist" (content 8bd816d0fbda) on "anthropic:claude-haiku-4-5".
// Exported by Prompt Playground.
//
// To run it (Node 20 or later):
//   npm install @anthropic-ai/sdk nunjucks
//   npm install --save-dev @types/nunjucks    # only to type-check it
//   export ANTHROPIC_API_KEY=...    # your API key; never write it into this file
//   ANTHROPIC_BASE_URL may name another server (the default is below)
//   npx tsx Checklist.ts --help

import { parseArgs } from "node:util";
import nunjucks from "nunjucks";
import Anthropic from "@anthropic-ai/sdk";

const MODEL = "claude-haiku-4-5";

// The prompt uses Jinja logic. nunjucks renders it here; it follows Jinja closely but
// not in everything (no Python methods such as .upper()). As in the playground, a
// variable without a value is an error.
const templates = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });

function render(template: string, values: Record<string, string | undefined>): string {
  return templates.renderString(template, values);
}

/** The system prompt, and the messages: the examples as turns, then the conversation. */
export function buildPrompt(strict: string | undefined, task: string, steps: string): { system: string; messages: Anthropic.MessageParam[] } {
  const values = {
    strict: strict,
    task: task,
    steps: steps,
  };
  const system = render("You write checklists.{% if strict is defined %} Be strict.{% endif %}", values);
  const messages: Anthropic.MessageParam[] = [
    { role: "user", content: render((
      "Make a checklist for {{ task | upper }}:\n" +
      "{% for step in steps.split(',') %}- {{ step | trim }}\n" +
      "{% endfor %}"
    ), values) },
  ];
  return { system, messages };
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      strict: { type: "string" },
      task: { type: "string" },
      steps: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (args.help) {
    console.log((
      "Options (each takes a value):\n" +
      "  --strict\n" +
      "  --task (default: packing)\n" +
      "  --steps (default: socks, tent,map)"
    ));
    return;
  }
  const { system, messages } = buildPrompt(args["strict"], args["task"] ?? "packing", args["steps"] ?? "socks, tent,map");
  const client = new Anthropic({
    baseURL: process.env["ANTHROPIC_BASE_URL"] ?? "https://api.anthropic.com",
    apiKey: requireEnv("ANTHROPIC_API_KEY"),
  });
  const stream = await client.messages.create({
    model: MODEL,
    system,
    messages,
    // Anthropic requires a limit; the target sets none, so 1024 is used.
    max_tokens: 1024,
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
