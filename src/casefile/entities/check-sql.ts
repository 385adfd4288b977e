/** `"column" IN ('a', 'b')`: the CHECK expression for an enumeration, as the migration writes it. */
export function oneOf(column: string, values: readonly string[]): string {
  return `"${column}" IN (${values.map((v) => `'${v}'`).join(', ')})`;
}
