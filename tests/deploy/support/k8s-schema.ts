/**
 * Kubernetes schema checks that work offline (kubeconform cannot download its schemas here):
 *
 * 1. `kubernetes-models` validates each object with validators generated from the Kubernetes
 *    OpenAPI schemas (types, required fields, enums, formats, int-or-string).
 * 2. Those schemas allow unknown fields (so would the API server, dropping them with a warning),
 *    which hides the commonest chart bug: a mis-indented or misspelt key. The same package's
 *    TypeScript interfaces are exact, so each object is also type-checked as an object literal
 *    of its kind's interface: TypeScript's excess-property check rejects every unknown field,
 *    at any depth, like kubeconform's -strict.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { K8sObject } from './helm.js';

export interface SchemaProblem {
  object: string;
  message: string;
}

function describe(object: K8sObject): string {
  return `${object.kind} ${object.metadata?.name ?? '(no name)'}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Validates every object against its kind's OpenAPI schema. */
export async function validateSchemas(objects: K8sObject[]): Promise<SchemaProblem[]> {
  const problems: SchemaProblem[] = [];
  for (const object of objects) {
    let Model: ModelClass | undefined;
    try {
      const module = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<
        string,
        ModelClass | undefined
      >;
      Model = module[object.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push({
        object: describe(object),
        message: `no schema for ${object.apiVersion} ${object.kind} (unknown apiVersion or kind)`,
      });
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push({ object: describe(object), message: (error as Error).message });
    }
  }
  return problems;
}

// The checked sources are virtual files beside this one, so `kubernetes-models` resolves from
// the repository's node_modules.
const HERE = dirname(fileURLToPath(import.meta.url));

/** Type-checks every object as a literal of its kind's interface (unknown fields, wrong types). */
export function checkKnownFields(objects: K8sObject[]): SchemaProblem[] {
  const files = new Map<string, { source: string; object: K8sObject }>();
  objects.forEach((object, index) => {
    // `kubernetes-models/<apiVersion>/<Kind>`: apps/v1/Deployment, v1/Service, …
    const typePath = `kubernetes-models/${object.apiVersion}/${object.kind}`;
    const source =
      `import type { I${object.kind} as Kind } from '${typePath}';\n` +
      `export const object: Kind = ${JSON.stringify(object, null, 1)};\n`;
    files.set(join(HERE, `__k8s_object_${index}.ts`), { source, object });
  });

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const virtual = files.get(fileName);
    return virtual
      ? ts.createSourceFile(fileName, virtual.source, languageVersion)
      : getSourceFile.call(host, fileName, languageVersion, ...rest);
  };
  host.fileExists = (fileName) => files.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => files.get(fileName)?.source ?? readFile.call(host, fileName);

  const program = ts.createProgram([...files.keys()], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file && files.has(diagnostic.file.fileName))
    .map((diagnostic) => {
      const { source, object } = files.get(diagnostic.file!.fileName)!;
      const line = source.slice(0, diagnostic.start ?? 0).split('\n').length;
      return {
        object: describe(object),
        message: `${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')} (line ${line} of its JSON)`,
      };
    });
}
