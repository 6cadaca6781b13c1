/** True about once in `n` calls: `1` always, `0` never (CGI_SWEEP_ONE_IN, CGI_ANONYMIZE_ONE_IN). */
export function oneIn(n: number, random: () => number = Math.random): boolean {
  return n > 0 && random() * n < 1;
}
