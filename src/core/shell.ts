/**
 * Quotes one word for a POSIX shell. Words of only safe characters stay bare
 * (commands a user reads or copies stay readable) unless `always` is set.
 */
export function shellQuote(word: string, options: { always?: boolean } = {}): string {
  return !options.always && /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
