const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A self-contained HTML page (no scripts, no network): a title, inline SVG pictures, and preformatted text. */
export function htmlPage(title: string, parts: readonly ({ svg: string } | { text: string })[]): string {
  const body = parts
    .map((part) =>
      'svg' in part
        ? `<figure>${part.svg.replace(/^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?/, '')}</figure>`
        : `<pre>${escapeHtml(part.text)}</pre>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
figure { margin: 1rem 0; overflow-x: auto; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: 12px; }

</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}
