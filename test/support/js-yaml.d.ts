// js-yaml (a devDependency, for reading docker/compose.yaml in tests) ships no types.
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
