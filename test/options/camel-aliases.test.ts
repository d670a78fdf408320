import t from 'tap';
import { NO_EFFECT_OPTIONS, SPECS, canonicalOptionName, resolveOptions } from '../../lib/options.js';

// SessionOptionsCamel derives each camelCase key from the snake_case one (CamelCase<K>); this checks that the run
// time maps every such key back, for every option of the table and every no-effect flag.

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

t.test('the camelCase spelling of every option and no-effect flag means that option', async (t) => {
  for (const name of [...Object.keys(SPECS), ...NO_EFFECT_OPTIONS]) {
    t.equal(canonicalOptionName(camel(name)), name, `${camel(name)} -> ${name}`);
  }
});

t.test('every no-effect flag is accepted in camelCase and recorded under its snake_case name', async (t) => {
  const given = Object.fromEntries(NO_EFFECT_OPTIONS.map((name, i) => [camel(name), i]));
  const options = resolveOptions(given as never);
  t.same({ ...options.ignored }, Object.fromEntries(NO_EFFECT_OPTIONS.map((name, i) => [name, i])));
});
