// Wristband labels as the hub lays them out in text (GET /sales/{id}/wristbands?format=text): one
// per child, a blank line between them. On the screen, and on a sheet printed from the browser,
// a dashed line stands where the label printer would cut, so each child's label is cut apart.

/** The labels in the hub's text, each as it is laid out (no trailing blanks). */
export function splitLabels(text: string): string[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n(?:[ \t]*\n)+/)
    .map((label) => label.replace(/^\n+|\s+$/g, ''))
    .filter((label) => label.trim() !== '');
}

/**
 * The labels on one sheet, a dashed cut line between each two. The hub centres every line of a
 * label in its paper's columns, the child's name in half of them for the printer's double-width
 * letters, which a screen and a browser do not have: as it comes the name would sit off to the
 * left. So every line is centred again, across the columns the hub used (read back from its
 * widest centred line: its margin on both sides plus its text).
 */
export function labelSheet(labels: readonly string[]): string {
  const split = labels.map((label) => label.split('\n').map((line) => line.trimEnd()));
  const margin = (line: string) => line.length - line.trimStart().length;
  const width = Math.max(24, ...split.flat().map((line) => 2 * margin(line) + line.trim().length));
  const centred = (line: string) => `${' '.repeat(Math.floor((width - line.trim().length) / 2))}${line.trim()}`;
  const cut = '- '.repeat(Math.ceil(width / 2)).slice(0, width).trimEnd();
  return split.map((lines) => lines.map(centred).join('\n')).join(`\n${cut}\n`);
}
