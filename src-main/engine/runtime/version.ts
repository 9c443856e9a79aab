/** Anneal's version, as run.json and exported models record it (package.json "version"). */
export const ANNEAL_VERSION = '0.1.0';
