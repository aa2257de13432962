import { stringify } from 'yaml';

/**
 * YAML for the engines' Python loaders, which read YAML 1.1 (PyYAML's `safe_load` in LLaMA-Factory v0.9.3; OmegaConf,
 * itself on PyYAML, in EasyR1). Two YAML 1.2 spellings change meaning there: a bare `no` / `yes` / `on` / `off` is a
 * boolean (transformers then rejects `save_strategy: false`), and a float needs a dot and a signed exponent (`1e-8` is
 * a string). So strings are quoted as YAML 1.1 requires, and exponent floats are written `1.0e-8`.
 */
export function engineYaml(value: unknown): string {
  return stringify(value, { version: '1.1' }).replace(
    /^(\s*(?:- |[^\s:#][^:#]*: ))(-?\d+)(\.\d+)?e([-+]?)(\d+)$/gm,
    (_m, lead: string, whole: string, frac: string | undefined, sign: string, exp: string) =>
      `${lead}${whole}${frac ?? '.0'}e${sign || '+'}${exp}`,
  );
}
