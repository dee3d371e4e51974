/**
 * A scripted model for the agent tests: aimock (`@copilotkit/aimock`) speaking the Anthropic
 * Messages API (SSE streaming, tool_use, usage) on 127.0.0.1, so the real agent CLIs run
 * against it with no LLM anywhere. Which script answers is chosen by a marker in the goal
 * (`[script:write-file]`), so one server serves every test of a file; every request is kept.
 *
 * Scripts (turn = one request; the CLI sends the tool results back in the next one):
 * - write-file: turn 1 calls the file-writing tool (Claude Code's `Write hello.txt`, OpenCode's
 *   `write`, or the shell tool `cat > hello.txt` for an agent that offers one, like Codex's
 *   `exec_command`), turn 2 answers with a summary; usage 100/20 then 120/7 tokens.
 * - stall: never answers (until the test releases it or the server stops).
 * - stall-once / error-500-once: the first request of the conversation (told apart by its goal)
 *   stalls / fails with HTTP 500; every later one goes on like write-file.
 * - write-then-stall: like write-file, but turn 2 stalls, unless the conversation was resumed
 *   (its last user message is the orchestrator's "interrupted… continue" prompt).
 * - error-500 / error-429: the API fails with that status.
 * - say-secret: answers with a text containing `secretToSay` (to test redaction).
 * - print-env: turn 1 runs `env` in the agent's shell tool, turn 2 answers (to see what the
 *   model's commands can read).
 * - background-then-stall: turn 1 starts two `sleep 300`s from the agent's shell tool, which
 *   answers after 0.5 s while they keep running; turn 2 stalls (to see what a cancel stops).
 *
 * With `apiKey`, every request must carry it (`x-api-key` or a bearer token) or gets a 401
 * (aimock's journal redacts keys and leaves rejected requests out): a run that got answers
 * is how a test knows the key reached the model.
 */
import { LLMock, type ChatCompletionRequest, type FixtureResponse } from '@copilotkit/aimock';

export const HELLO_FILE = 'hello.txt';
export const HELLO_CONTENT = 'Hello from Claude Code, scripted.\n';
export const FINAL_TEXT = `Created ${HELLO_FILE} with a greeting.`;
/** Per turn of write-file; the CLI sums them in its result. */
export const TURN_USAGE = [
  { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  { prompt_tokens: 120, completion_tokens: 7, total_tokens: 127 },
];

export type ScriptName =
  | 'write-file'
  | 'stall'
  | 'write-then-stall'
  | 'error-500'
  | 'error-429'
  | 'say-secret'
  | 'print-env'
  | 'stall-once'
  | 'error-500-once'
  | 'background-then-stall';

export function scriptGoal(script: ScriptName, text = 'please do the scripted thing'): string {
  return `[script:${script}] ${text}`;
}

export interface ScriptedModel {
  url: string;
  /** Every Messages API request, as aimock normalised it (messages, tools, model). */
  requests: ChatCompletionRequest[];
  /** Requests currently held by a stalling script. */
  stalled(): number;
  /** Answers every held request (with a short text). */
  releaseStalled(): void;
  /** Text the say-secret script answers with. */
  secretToSay: string;
  stop(): Promise<void>;
}

export async function startScriptedModel(
  options: { apiKey?: string } = {},
): Promise<ScriptedModel> {
  const mock = new LLMock({
    port: 0,
    host: '127.0.0.1',
    ...(options.apiKey ? { auth: { apiKeys: [options.apiKey] } } : {}),
  });
  const requests: ChatCompletionRequest[] = [];
  const held: Array<(response: FixtureResponse) => void> = [];
  /** Goals of the conversations a `-once` script has already answered once. */
  const seen = new Set<string>();
  const model = {
    secretToSay: '',
  };

  const stall = () =>
    new Promise<FixtureResponse>((resolve) => {
      held.push(resolve);
    });

  mock.addFixture({
    match: { predicate: () => true },
    response: (request) => {
      requests.push(request);
      const script = scriptOf(request);
      const afterTool = request.messages.at(-1)?.role === 'tool';
      switch (script) {
        case 'write-file':
          return afterTool ? finalAnswer() : writeHello(request);
        case 'write-then-stall':
          if (resumed(request)) return finalAnswer();
          return afterTool ? stall() : writeHello(request);
        case 'stall':
          return stall();
        case 'error-500':
          return upstreamFailure();
        case 'error-429':
          return {
            error: { message: 'scripted rate limit', type: 'rate_limit_error' },
            status: 429,
          };
        case 'say-secret':
          return { content: `Here is what I found: ${model.secretToSay}` };
        case 'stall-once':
        case 'error-500-once': {
          const goal = messageText(request.messages.find((m) => m.role === 'user')?.content);
          if (!seen.has(goal)) {
            seen.add(goal);
            return script === 'stall-once' ? stall() : upstreamFailure();
          }
          return afterTool ? finalAnswer() : writeHello(request);
        }
        case 'print-env':
          return afterTool ? finalAnswer() : { toolCalls: [shellCall('env')] };
        case 'background-then-stall':
          return afterTool ? stall() : { toolCalls: [backgroundSleeps(request)] };
        default:
          return { content: 'No script matched this conversation.' };
      }
    },
  });
  await mock.start();

  const releaseStalled = () => {
    for (const resolve of held.splice(0)) resolve({ content: 'released by the test' });
  };
  return Object.assign(model, {
    url: mock.url,
    requests,
    stalled: () => held.length,
    releaseStalled,
    stop: async () => {
      releaseStalled();
      await mock.stop();
    },
  });
}

/**
 * Codex's shell tool. Codex 0.169 offers `apply_patch` only as a freeform (custom) tool, which
 * aimock cannot call, so the scripted Codex writes its file from the shell.
 */
const CODEX_SHELL_TOOL = 'exec_command';
/** OpenCode's file-writing and shell tools (lowercase; Claude Code's are `Write`, `Bash`). */
const OPENCODE_WRITE_TOOL = 'write';
const OPENCODE_SHELL_TOOL = 'bash';

function offersTool(request: ChatCompletionRequest, name: string): boolean {
  return (request.tools ?? []).some((tool) => tool.function.name === name);
}

function writeHello(request: ChatCompletionRequest): FixtureResponse {
  const write = offersTool(request, CODEX_SHELL_TOOL)
    ? shellCall(`cat > ${HELLO_FILE} <<'EOF'\n${HELLO_CONTENT}EOF`)
    : offersTool(request, OPENCODE_WRITE_TOOL)
      ? {
          name: OPENCODE_WRITE_TOOL,
          arguments: JSON.stringify({ filePath: HELLO_FILE, content: HELLO_CONTENT }),
        }
      : {
          name: 'Write',
          arguments: JSON.stringify({ file_path: HELLO_FILE, content: HELLO_CONTENT }),
        };
  return { toolCalls: [write], usage: TURN_USAGE[0] };
}

function upstreamFailure(): FixtureResponse {
  return { error: { message: 'scripted upstream failure', type: 'api_error' }, status: 500 };
}

/**
 * Two `sleep 300`s left running by the agent's shell tool: Codex answers after 0.5 s while its
 * command goes on; OpenCode's `bash` answers when the command exits, so both go to the
 * background (their output elsewhere: the tool waits for its pipes to close).
 */
function backgroundSleeps(request: ChatCompletionRequest): { name: string; arguments: string } {
  if (!offersTool(request, OPENCODE_SHELL_TOOL)) return shellCall('sleep 300 & sleep 300', 500);
  const sleep = 'sleep 300 >/dev/null 2>&1 &';
  return {
    name: OPENCODE_SHELL_TOOL,
    arguments: JSON.stringify({
      command: `${sleep} ${sleep} echo started`,
      description: 'Start two sleeps',
    }),
  };
}

/** A shell tool call; `yieldMs`: how long Codex waits for output before it answers. */
function shellCall(command: string, yieldMs?: number): { name: string; arguments: string } {
  return {
    name: CODEX_SHELL_TOOL,
    arguments: JSON.stringify({ cmd: command, ...(yieldMs ? { yield_time_ms: yieldMs } : {}) }),
  };
}

function finalAnswer(): FixtureResponse {
  return { content: FINAL_TEXT, usage: TURN_USAGE[1] };
}

export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'object' && part !== null && 'text' in part ? String(part.text) : '',
      )
      .join('\n');
  }
  return '';
}

function scriptOf(request: ChatCompletionRequest): ScriptName | null {
  for (const message of request.messages) {
    if (message.role !== 'user') continue;
    const match = /\[script:([a-z0-9-]+)\]/.exec(messageText(message.content));
    if (match) return match[1] as ScriptName;
  }
  return null;
}

/** The orchestrator resumed the session: its last user message asks to continue. */
function resumed(request: ChatCompletionRequest): boolean {
  const last = request.messages.at(-1);
  return (
    last?.role === 'user' && /interrupted[\s\S]*Continue the task/.test(messageText(last.content))
  );
}

/** Tool call ids of the assistant turns in a request's history. */
export function toolCallIds(request: ChatCompletionRequest): string[] {
  return request.messages.flatMap((message) =>
    message.role === 'assistant' ? (message.tool_calls ?? []).map((call) => call.id) : [],
  );
}
