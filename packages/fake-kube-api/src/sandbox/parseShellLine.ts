/** What a shell line is: its words after quoting and expansion, or why the sandbox cannot run it. */
export type ParsedShellLine = { readonly words: string[] } | { readonly error: string };

/** Shell syntax the sandbox does not run: operators and globs. It says so rather than pass them on. */
const OPERATOR = /^[|&;<>()]+/;
const SPECIAL_PARAMETERS = new Set(['$', '#', '@', '*', '!', '-']);

/**
 * Splits one shell line into words as `sh` does for a simple command: white space separates words,
 * single quotes keep everything, double quotes keep all but `$` expansions and `\` before `$`, `` ` ``,
 * `"`, `\`; `$NAME`, `${NAME}`, `$0`…`$9` and `$?` expand (an unset one to nothing, unquoted values
 * split on white space), `~` at the start of a word is `$HOME`, and `#` starts a comment. Pipes,
 * redirections, lists (`;`, `&&`), command substitution and globs are not run: the answer is an error
 * naming the first one, as a shell without them would fail rather than pass them on as words.
 */
export function parseShellLine(
  line: string,
  variable: (name: string) => string | undefined,
): ParsedShellLine {
  const words: string[] = [];
  let word = '';
  let hasWord = false;
  let quote: '"' | "'" | undefined;
  const finishWord = () => {
    if (hasWord) words.push(word);
    word = '';
    hasWord = false;
  };
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] as string;
    const next = line[index + 1];
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      continue;
    }
    if (char === '$') {
      const expansion = readExpansion(line, index);
      if ('error' in expansion) return expansion;
      if (expansion.name === undefined) {
        word += '$';
        hasWord = true;
        continue;
      }
      index = expansion.end;
      const value = variable(expansion.name) ?? '';
      if (quote === '"') word += value;
      else {
        for (const valueChar of value) {
          if (/\s/.test(valueChar)) finishWord();
          else {
            word += valueChar;
            hasWord = true;
          }
        }
      }
      continue;
    }
    if (char === '`') return unsupported('`');
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && next !== undefined && '$`"\\'.includes(next)) {
        word += next;
        index += 1;
      } else word += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      hasWord = true;
    } else if (char === '\\') {
      if (next !== undefined) word += next;
      index += 1;
      hasWord = true;
    } else if (/\s/.test(char)) finishWord();
    else if (char === '#' && !hasWord) break;
    else if (OPERATOR.test(char)) return unsupported(OPERATOR.exec(line.slice(index))?.[0] ?? char);
    else if (char === '*' || char === '?') return unsupported(char, 'no globs: quote it to pass it on');
    else if (char === '~' && !hasWord && (next === undefined || next === '/' || /\s/.test(next))) {
      word += variable('HOME') ?? '~';
      hasWord = true;
    } else {
      word += char;
      hasWord = true;
    }
  }
  if (quote !== undefined) return { error: 'Syntax error: Unterminated quoted string' };
  finishWord();
  return { words };
}

type Expansion = { readonly name?: string; readonly end: number } | { readonly error: string };

/** The parameter a `$` at `index` names and where it ends; no name when the `$` is literal. */
function readExpansion(line: string, index: number): Expansion {
  const rest = line.slice(index + 1);
  const simple = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?])/.exec(rest);
  if (simple?.[1] !== undefined) return { name: simple[1], end: index + simple[1].length };
  if (rest.startsWith('{')) {
    const braced = /^\{([A-Za-z_][A-Za-z0-9_]*|[0-9?])\}/.exec(rest);
    if (braced?.[1] !== undefined) return { name: braced[1], end: index + braced[0].length };
    return unsupported(`$${rest.slice(0, rest.indexOf('}') + 1 || rest.length)}`);
  }
  if (rest.startsWith('(')) return unsupported('$(');
  if (SPECIAL_PARAMETERS.has(rest[0] ?? '')) return unsupported(`$${rest[0]}`);
  return { end: index };
}

function unsupported(
  syntax: string,
  hint = 'it runs one simple command: words, quotes, $VAR',
): { readonly error: string } {
  return { error: `'${syntax}' is not supported by this sandbox (${hint})` };
}
