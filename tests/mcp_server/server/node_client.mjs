// An independent MCP client for the end-to-end tests: the official TypeScript SDK.
// Reads a plan (JSON file named by its argument): {server: {command, args, env, cwd} | {url, headers}, roots?: [uri],
// calls: [{name, arguments}], resources?: [uri], prompts?: [{name, arguments}]}; writes what it saw as JSON.
// "$hash:N" in a string argument or URI stands for the hash of call N's result: its structured hash, else the one
// its header line names ("[headroom hash=H: ...]").
import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const capabilities = plan.roots ? { roots: { listChanged: false } } : {};
const client = new Client({ name: "node-e2e", version: "1.0.0" }, { capabilities });
if (plan.roots) {
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: plan.roots.map((uri) => ({ uri })) }));
}
const transport = plan.server.url
  ? new StreamableHTTPClientTransport(new URL(plan.server.url), { requestInit: { headers: plan.server.headers ?? {} } })
  : new StdioClientTransport({ ...plan.server, stderr: "inherit" });
await client.connect(transport);

const out = {
  server: client.getServerVersion(),
  instructions: client.getInstructions() ?? null,
  tools: (await client.listTools()).tools,
  results: [],
  resources: [],
  prompts: [],
};
const resolve = (value) =>
  typeof value === "string"
    ? value.replace(/\$hash:(\d+)/g, (_, n) => {
        const result = out.results[Number(n)];
        return result.structured?.hash ?? /^\[headroom hash=([0-9a-f]{16})/.exec(result.text)[1];
      })
    : value;
for (const call of plan.calls) {
  const args = Object.fromEntries(Object.entries(call.arguments ?? {}).map(([k, v]) => [k, resolve(v)]));
  const res = await client.callTool({ name: call.name, arguments: args });
  out.results.push({
    name: call.name,
    isError: res.isError ?? false,
    structured: res.structuredContent ?? null,
    text: (res.content ?? []).map((b) => b.text ?? "").join(""),
  });
}
for (const uri of plan.resources ?? []) {
  out.resources.push((await client.readResource({ uri: resolve(uri) })).contents);
}
for (const prompt of plan.prompts ?? []) {
  out.prompts.push(await client.getPrompt(prompt));
}
await client.close();
process.stdout.write(JSON.stringify(out));
