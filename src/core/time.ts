/** One way to write a moment for people: local time, `2026-12-02 14:05:09`, in logs and tooltips alike. */
export function localTime(at: number): string {
  const date = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** The time of day of `at`, local: `14:05:09`. */
export function localClock(at: number): string {
  return localTime(at).slice(-8);
}
