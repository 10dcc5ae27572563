// Runs the prompt "Checklist" (content 8bd816d0fbda) on "openai:gpt-4.1-mini".
// Exported by Prompt Playground.
//
// To run it (Node 20 or later):
//   npm install openai nunjucks
//   npm install --save-dev @types/nunjucks    # only to type-check it
//   export OPENAI_API_KEY=...    # your API key; never write it into this file
//   OPENAI_BASE_URL may name another server (the default is below)
//   npx tsx Checklist.ts --help

import { parseArgs } from "node:util";
import nunjucks from "nunjucks";
import OpenAI from "openai";

const MODEL = "gpt-4.1-mini";

// The prompt uses Jinja logic. nunjucks renders it here; it follows Jinja closely but
// not in everything (no Python methods such as .upper()). As in the playground, a
// variable without a value is an error.
const templates = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });

function render(template: string, values: Record<string, string | undefined>): string {
  return templates.renderString(template, values);
}

/** The request's messages: the system prompt, the examples as turns, the conversation. */
export function buildMessages(strict: string | undefined, task: string, steps: string): OpenAI.ChatCompletionMessageParam[] {
  const values = {
    strict: strict,
    task: task,
    steps: steps,
  };
  return [
    { role: "system", content: render("You write checklists.{% if strict is defined %} Be strict.{% endif %}", values) },
    { role: "user", content: render((
      "Make a checklist for {{ task | upper }}:\n" +
      "{% for step in steps.split(',') %}- {{ step | trim }}\n" +
      "{% endfor %}"
    ), values) },
  ];
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
  const client = new OpenAI({
    baseURL: process.env["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1",
    apiKey: requireEnv("OPENAI_API_KEY"),
  });
  const completion = await client.chat.completions.create({
    model: MODEL,
    messages: buildMessages(args["strict"], args["task"] ?? "packing", args["steps"] ?? "socks, tent,map"),
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
