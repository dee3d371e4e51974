/**
 * A Dockerfile linter that runs offline: the syntax and semantic checks of `dockerfile-utils`
 * (the validator behind the VS Code Docker extension: unknown instructions and flags, bad JSON
 * forms, relative WORKDIR, several CMDs, …) plus this project's image rules, most of them
 * hadolint's: multi-stage, pinned bases, non-root numeric USER, a HEALTHCHECK, exec-form
 * CMD/ENTRYPOINT, production dependencies only, tidy apt-get, COPY rather than ADD.
 */
import { DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

export interface LintProblem {
  line: number;
  rule: string;
  message: string;
}

interface Stage {
  name: string | null;
  image: string;
  line: number;
  instructions: Instruction[];
}

const lineOf = (instruction: Instruction) => instruction.getRange().start.line + 1;
const args = (instruction: Instruction) => instruction.getRawArgumentsContent() ?? '';
/** The whole instruction, flags included (the arguments exclude `--from=…`, `--mount=…`). */
const fullText = (instruction: Instruction) => instruction.getTextContent();

/** Substitutes `${NAME}` / `$NAME` with the defaults of the ARGs declared before the first FROM. */
function expand(text: string, dockerfile: Dockerfile): string {
  const defaults = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property?.getName()) defaults.set(property.getName(), property.getValue() ?? '');
  }
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    return defaults.get(braced ?? bare ?? '') ?? match;
  });
}

function stagesOf(dockerfile: Dockerfile): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const words = args(instruction).split(/\s+/);
      const as = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({
        name: as >= 0 ? (words[as + 1] ?? null) : null,
        image: expand(words.find((word) => !word.startsWith('--')) ?? '', dockerfile),
        line: lineOf(instruction),
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const isExecForm = (instruction: Instruction) => args(instruction).trim().startsWith('[');

export function lintDockerfile(content: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const report = (line: number, rule: string, message: string) =>
    problems.push({ line, rule, message });

  for (const diagnostic of validate(content)) {
    const { message } = diagnostic;
    report(
      diagnostic.range.start.line + 1,
      'dockerfile-utils',
      typeof message === 'string' ? message : message.value,
    );
  }

  const dockerfile = DockerfileParser.parse(content);
  const stages = stagesOf(dockerfile);
  const names = new Set<string>();
  if (stages.length < 2) {
    report(
      1,
      'multi-stage',
      'Use a multi-stage build: dependencies/build stages, then a runtime stage.',
    );
  }
  for (const stage of stages) {
    if (!stage.name) report(stage.line, 'named-stages', 'Name every stage (FROM … AS <name>).');
    if (stage.name && names.has(stage.name)) {
      report(stage.line, 'named-stages', `Stage name "${stage.name}" is used twice.`);
    }
    const fromStage = names.has(stage.image);
    if (!fromStage) {
      const [reference, digest] = stage.image.split('@');
      const tag = reference?.includes(':') ? reference.slice(reference.lastIndexOf(':') + 1) : '';
      if (!digest && (!tag || tag === 'latest' || !/\d/.test(tag) || tag.includes('$'))) {
        report(
          stage.line,
          'pinned-base',
          `Base image "${stage.image}" must be pinned to a versioned tag (or a digest), never latest or untagged.`,
        );
      }
    }
    if (stage.name) names.add(stage.name);

    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      const text = args(instruction);
      if (keyword === 'ADD') {
        report(
          lineOf(instruction),
          'copy-not-add',
          'Use COPY for files (ADD also fetches URLs and unpacks archives).',
        );
      }
      if (keyword === 'COPY') {
        const from = /--from=(\S+)/.exec(fullText(instruction))?.[1];
        if (from && !names.has(from) && !from.includes(':') && !/^\d+$/.test(from)) {
          report(lineOf(instruction), 'copy-from', `COPY --from=${from} names no earlier stage.`);
        }
      }
      if (keyword === 'RUN') {
        if (/\bsudo\b/.test(text))
          report(lineOf(instruction), 'no-sudo', 'Do not use sudo in a build.');
        if (/\b(curl|wget)\b[^|]*\|\s*(ba)?sh\b/.test(text)) {
          report(lineOf(instruction), 'no-pipe-to-shell', 'Do not pipe downloads into a shell.');
        }
        if (/apt-get\s+(-\S+\s+)*install/.test(text)) {
          if (!text.includes('--no-install-recommends')) {
            report(
              lineOf(instruction),
              'apt-no-recommends',
              'apt-get install without --no-install-recommends.',
            );
          }
          if (!text.includes('rm -rf /var/lib/apt/lists')) {
            report(
              lineOf(instruction),
              'apt-lists',
              'Remove /var/lib/apt/lists in the RUN that installs packages.',
            );
          }
        }
        if (/\bnpm\s+install\b/.test(text) && !/--omit=dev|--global/.test(text)) {
          report(
            lineOf(instruction),
            'npm-prod',
            'npm install of packages into the app must use --omit=dev.',
          );
        }
      }
    }
  }

  const runtime = stages.at(-1);
  if (runtime) {
    const final = runtime.instructions;
    const users = final.filter((i) => i.getKeyword() === 'USER');
    const user = users.at(-1);
    const uid = user ? args(user).split(':')[0]?.trim() : undefined;
    if (!user) {
      report(runtime.line, 'non-root', 'The runtime stage must switch to a non-root USER.');
    } else if (!uid || !/^\d+$/.test(uid) || uid === '0') {
      report(
        lineOf(user),
        'non-root',
        `USER ${args(user)}: use a numeric non-zero uid so Kubernetes can verify runAsNonRoot.`,
      );
    }
    const healthchecks = final.filter((i) => i.getKeyword() === 'HEALTHCHECK');
    if (healthchecks.length !== 1 || /^\s*NONE\b/i.test(args(healthchecks[0]!))) {
      report(runtime.line, 'healthcheck', 'The runtime stage must have one HEALTHCHECK CMD.');
    }
    for (const instruction of final) {
      const keyword = instruction.getKeyword();
      if ((keyword === 'CMD' || keyword === 'ENTRYPOINT') && !isExecForm(instruction)) {
        report(
          lineOf(instruction),
          'exec-form',
          `${keyword} must use the JSON exec form (signals reach the process).`,
        );
      }
    }
    if (!final.some((i) => i.getKeyword() === 'CMD')) {
      report(runtime.line, 'cmd', 'The runtime stage must have a CMD.');
    }
    // node_modules in the runtime stage must come from a stage that installed prod deps only.
    for (const copy of final.filter((i) => i.getKeyword() === 'COPY')) {
      const text = fullText(copy);
      const from = /--from=(\S+)/.exec(text)?.[1];
      if (!from || !text.includes('node_modules')) continue;
      const source = stages.find((stage) => stage.name === from);
      const installs = (source?.instructions ?? []).filter(
        (i) => i.getKeyword() === 'RUN' && /\bnpm\s+ci\b/.test(args(i)),
      );
      if (!installs.length || installs.some((i) => !args(i).includes('--omit=dev'))) {
        report(
          lineOf(copy),
          'prod-deps-only',
          `node_modules copied from stage "${from}" must be installed with npm ci --omit=dev.`,
        );
      }
    }
    if (final.some((i) => i.getKeyword() === 'RUN' && /\bnpm\s+ci\b/.test(args(i)))) {
      report(
        runtime.line,
        'prod-deps-only',
        'Install dependencies in an earlier stage, not the runtime stage.',
      );
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}
