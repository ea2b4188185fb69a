/**
 * Splits a command line into words as a shell would for the simple cases the sandbox serves: white space
 * separates words, single and double quotes group them, a backslash escapes the next character. No
 * variables, globs, pipes or redirections: those words are passed on as they are.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let hasWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] as string;
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && index + 1 < line.length) word += line[++index];
      else word += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      hasWord = true;
    } else if (char === '\\' && index + 1 < line.length) {
      word += line[++index];
      hasWord = true;
    } else if (/\s/.test(char)) {
      if (hasWord) words.push(word);
      word = '';
      hasWord = false;
    } else {
      word += char;
      hasWord = true;
    }
  }
  if (hasWord) words.push(word);
  return words;
}
