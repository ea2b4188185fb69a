import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { KubeObject } from './renderKustomization.js';

const here = fileURLToPath(new URL('./', import.meta.url));

/**
 * Finds fields the Kubernetes API does not have (a misspelt `terminationGracePeriodSecond`), which the
 * JSON-schema validators of `kubernetes-models` let through (its schemas allow unknown properties): each
 * object becomes a TypeScript object literal typed with the package's interface for its kind, and the
 * compiler's excess-property check names every unknown field. Resolves with one line per problem.
 */
export function checkKnownFields(objects: readonly KubeObject[]): string[] {
  const file = `${here}__rendered_objects__.ts`;
  const lines = objects.map((object, index) => {
    const [group, version] = object.apiVersion.includes('/')
      ? object.apiVersion.split('/')
      : [undefined, object.apiVersion];
    const module = `kubernetes-models/${group === undefined ? '' : `${group}/`}${version}/${object.kind}`;
    return `import type { I${object.kind} as T${index} } from '${module}';\nexport const o${index}: T${index} = ${JSON.stringify(object)};`;
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, onError);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (diagnostic.file === undefined || diagnostic.start === undefined) return text;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    const object = objects[Math.floor(line / 2)];
    return `${object?.kind}/${object?.metadata.name}: ${text}`;
  });
}
