/**
 * A one-line progress bar on stderr for long-running scripts (plain lines when not a TTY).
 */
export function progress(label: string): (done: number, total: number) => void {
  let lastShown = -1;
  return (done, total) => {
    const pct = Math.floor((100 * done) / Math.max(total, 1));
    if (pct === lastShown && done !== total) return;
    lastShown = pct;
    const width = 30;
    const filled = Math.round((width * done) / Math.max(total, 1));
    const bar = `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${bar}${done === total ? "\n" : ""}`);
    else if (pct % 25 === 0 || done === total) process.stderr.write(`${bar}\n`);
  };
}
