/**
 * A scripted model for the agent tests: aimock (`@copilotkit/aimock`) speaking the Anthropic
 * Messages API (SSE streaming, tool_use, usage) on 127.0.0.1, so the real agent CLIs run
 * against it with no LLM anywhere. Which script answers is chosen by a marker in the goal
 * (`[script:write-file]`), so one server serves every test of a file; every request is kept.
 *
 * Scripts (turn = one request; the CLI sends the tool results back in the next one):
 * - write-file: turn 1 calls the file-writing tool (`Write hello.txt`), turn 2 answers with a
 *   summary; usage 100/20 then 120/7 tokens.
 * - stall: never answers (until the test releases it or the server stops).
 * - write-then-stall: like write-file, but turn 2 stalls, unless the conversation was resumed
 *   (its last user message is the orchestrator's "interrupted… continue" prompt).
 * - error-500 / error-429: the API fails with that status.
 * - say-secret: answers with a text containing `secretToSay` (to test redaction).
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
  'write-file' | 'stall' | 'write-then-stall' | 'error-500' | 'error-429' | 'say-secret';

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
          return afterTool ? finalAnswer() : writeHello();
        case 'write-then-stall':
          if (resumed(request)) return finalAnswer();
          return afterTool ? stall() : writeHello();
        case 'stall':
          return stall();
        case 'error-500':
          return {
            error: { message: 'scripted upstream failure', type: 'api_error' },
            status: 500,
          };
        case 'error-429':
          return {
            error: { message: 'scripted rate limit', type: 'rate_limit_error' },
            status: 429,
          };
        case 'say-secret':
          return { content: `Here is what I found: ${model.secretToSay}` };
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

function writeHello(): FixtureResponse {
  return {
    toolCalls: [
      {
        name: 'Write',
        arguments: JSON.stringify({ file_path: HELLO_FILE, content: HELLO_CONTENT }),
      },
    ],
    usage: TURN_USAGE[0],
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
