/**
 * The original Skynette wrote if_else expressions as `{{$prev.status}} == 200`: braces around the
 * data, operators outside. Turning each `{{ x }}` into `(x)` gives one expression our parser
 * evaluates as a whole, so data never gets parsed as code.
 */
export function conditionTemplate(text: string): string {
  const trimmed = text.trim();
  if (/^\{\{[\s\S]*\}\}$/.test(trimmed) && trimmed.indexOf('{{', 2) === -1) return trimmed;
  if (!trimmed.includes('{{')) return `{{ ${trimmed} }}`;
  return `{{ ${trimmed.replace(/\{\{([\s\S]*?)\}\}/g, (_, inner: string) => `(${inner.trim()})`)} }}`;
}
