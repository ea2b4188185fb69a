import { readFileSync } from 'node:fs';

/**
 * The fenced YAML block of a Markdown file whose first line is the comment `# <file>` (how the guides name
 * the file a block goes into), dedented to the fence's indentation. Throws when there is not exactly one.
 */
export function readDocsBlock(markdownPath: string, file: string): string {
  const markdown = readFileSync(markdownPath, 'utf8');
  const blocks = [...markdown.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)]
    .map(([, indent = '', body = '']) =>
      body
        .split('\n')
        .map((line) => line.slice(indent.length))
        .join('\n'),
    )
    .filter((body) => body.startsWith(`# ${file}`));
  if (blocks.length !== 1)
    throw new Error(
      `expected one yaml block starting "# ${file}" in ${markdownPath}, found ${blocks.length}`,
    );
  return blocks[0] as string;
}
